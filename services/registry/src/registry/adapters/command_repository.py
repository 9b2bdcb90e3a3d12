"""The command inbox (registry.command_inbox) and the look-ups inbound commands need."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from jumin_platform.access_log import AccessEntry, AccessLog

CLAIM = """
INSERT INTO registry.command_inbox (command_id, routing_key, received_at, outcome)
VALUES ($1, $2, $3, 'applied')
ON CONFLICT (command_id) DO NOTHING
RETURNING command_id
"""

SETTLE = """
UPDATE registry.command_inbox SET outcome = $2, change_ids = $3, detail = $4
 WHERE command_id = $1
"""

OUTCOME = "SELECT outcome FROM registry.command_inbox WHERE command_id = $1"

BY_JUMINHYO_CODE = """
SELECT atena_no FROM registry.resident_current
 WHERE juminhyo_code = $1 AND status <> 'void'
 ORDER BY atena_no
"""

# Card numbers are unique per person; any row ever holding it names the person (a 長官通知 may
# refer to the card on record even when a later row changed it).
BY_CARD_NO = """
SELECT DISTINCT h.atena_no FROM registry.resident_history h
  JOIN registry.resident_current c ON c.atena_no = h.atena_no AND c.status <> 'void'
 WHERE h.residence_card_no = $1 OR h.special_permanent_cert_no = $1
 ORDER BY h.atena_no
"""


class CommandRepository:
    """Record commands once and find the people they name, on the unit of work's connection."""

    def __init__(self, connection: asyncpg.Connection[Any]) -> None:
        self._connection = connection

    async def claim(self, command_id: UUID, *, routing_key: str, received_at: datetime) -> bool:
        """Insert the command's inbox row; False if it was already applied (a redelivery).

        A second delivery racing the first waits on the row's lock and then sees the conflict.
        """
        claimed = await self._connection.fetchval(CLAIM, command_id, routing_key, received_at)
        return claimed is not None

    async def settle(
        self, command_id: UUID, *, outcome: str, change_ids: Sequence[UUID] = (), detail: str | None
    ) -> None:
        """Record what became of a claimed command."""
        await self._connection.execute(SETTLE, command_id, outcome, list(change_ids), detail)

    async def outcome(self, command_id: UUID) -> str | None:
        """Return the recorded outcome of a command (None if never applied)."""
        value = await self._connection.fetchval(OUTCOME, command_id)
        return None if value is None else str(value)

    async def by_juminhyo_code(self, code: str) -> list[str]:
        """Return the 宛名番号 of the (resident or removed) people holding a 住民票コード."""
        return [r["atena_no"] for r in await self._connection.fetch(BY_JUMINHYO_CODE, code)]

    async def by_card_no(self, number: str) -> list[str]:
        """Return the 宛名番号 of the people a 在留カード・特別永住者証明書番号 was recorded for."""
        return [r["atena_no"] for r in await self._connection.fetch(BY_CARD_NO, number)]

    async def log_access(self, access_log: AccessLog, entry: AccessEntry) -> None:
        """Append to the access log inside this transaction (a savepoint of it)."""
        await access_log.append(self._connection, entry)
