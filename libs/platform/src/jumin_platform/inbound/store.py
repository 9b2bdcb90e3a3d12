"""SQL over the inbound tables (`inbound_ddl`) of one schema, on one asyncpg connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from jumin_platform.db import AnyConnection, check_identifier

__all__ = ["InboundStore", "TakenIn"]

GET_CURSOR: Final = "SELECT cursor FROM {s}.notification_cursor"
SET_CURSOR: Final = """
UPDATE {s}.notification_cursor SET cursor = $1, updated_at = now() WHERE cursor < $1
"""
ADD_NOTIFICATION: Final = """
INSERT INTO {s}.notifications
    (notification_id, cursor, type, outcome, command_id, routing_key, detail, trace_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (notification_id) DO NOTHING
"""
LIST_NOTIFICATIONS: Final = """
SELECT notification_id, cursor, type, received_at, outcome, command_id, routing_key, detail,
       trace_id
FROM {s}.notifications WHERE ($1::text IS NULL OR outcome = $1)
ORDER BY cursor DESC LIMIT $2
"""


@dataclass(frozen=True, kw_only=True)
class TakenIn:
    """One notification taken in (取込の記録) and the command it became, if any."""

    notification_id: UUID
    cursor: int
    type: str
    outcome: str
    command_id: UUID | None
    routing_key: str | None
    detail: str | None
    trace_id: str | None
    received_at: datetime | None = None


class InboundStore:
    """The feed cursor and the record of notifications taken in, in one service's schema."""

    def __init__(self, connection: AnyConnection, schema: str) -> None:
        self._c = connection
        self._s = check_identifier(schema)

    async def cursor(self) -> int:
        return int(await self._c.fetchval(GET_CURSOR.format(s=self._s)))

    async def set_cursor(self, cursor: int) -> None:
        """Move the cursor forward (never back)."""
        await self._c.execute(SET_CURSOR.format(s=self._s), cursor)

    async def add(self, taken: TakenIn) -> None:
        """Record a notification taken in (a second record of the same one changes nothing)."""
        await self._c.execute(
            ADD_NOTIFICATION.format(s=self._s),
            taken.notification_id,
            taken.cursor,
            taken.type,
            taken.outcome,
            taken.command_id,
            taken.routing_key,
            taken.detail,
            taken.trace_id,
        )

    async def taken_in(self, outcome: str | None, limit: int) -> list[TakenIn]:
        """The notifications taken in, newest first, optionally of one outcome."""
        rows = await self._c.fetch(LIST_NOTIFICATIONS.format(s=self._s), outcome, limit)
        return [TakenIn(**dict(row)) for row in rows]
