"""SQL over the adapter's operating state: CS cursor, answers taken in, free codes,
整合性確認 results (asyncpg, one connection)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from jumin_platform.db import AnyConnection

__all__ = ["OpenSupply", "StateRepository"]

GET_CURSOR: Final = "SELECT cursor FROM cs_adapter.notification_cursor"
SET_CURSOR: Final = """
UPDATE cs_adapter.notification_cursor SET cursor = $1, updated_at = now() WHERE cursor < $1
"""
ADD_NOTIFICATION: Final = """
INSERT INTO cs_adapter.notifications
    (notification_id, cursor, type, outcome, command_id, routing_key, detail, trace_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (notification_id) DO NOTHING
"""
LIST_NOTIFICATIONS: Final = """
SELECT notification_id, cursor, type, received_at, outcome, command_id, routing_key, detail,
       trace_id
FROM cs_adapter.notifications WHERE ($1::text IS NULL OR outcome = $1)
ORDER BY cursor DESC LIMIT $2
"""
ANSWER_REQUEST: Final = """
UPDATE cs_adapter.my_number_requests SET answered_at = now(), notification_id = $2
WHERE juminhyo_code = $1 AND answered_at IS NULL
"""

ESTIMATE: Final = """
SELECT count(*) FROM cs_adapter.free_codes f JOIN cs_adapter.code_supplies s ON s.id = f.supply_id
WHERE f.seen_at IS NULL AND s.published_at IS NOT NULL
"""
OPEN_SUPPLY: Final = """
SELECT id, idempotency_key, requested_count FROM cs_adapter.code_supplies
WHERE published_at IS NULL
"""
NEW_SUPPLY: Final = """
INSERT INTO cs_adapter.code_supplies (idempotency_key, requested_count) VALUES ($1, $2)
ON CONFLICT DO NOTHING
RETURNING id, idempotency_key, requested_count
"""
STORE_CODES: Final = """
INSERT INTO cs_adapter.free_codes (code, supply_id) SELECT unnest($2::text[]), $1
ON CONFLICT (code) DO NOTHING
"""
SUPPLY_RECEIVED: Final = """
UPDATE cs_adapter.code_supplies SET batch_id = $2, received_at = coalesce(received_at, now())
WHERE id = $1
"""
SUPPLY_PUBLISHED: Final = "UPDATE cs_adapter.code_supplies SET published_at = now() WHERE id = $1"

ADD_CHECK: Final = """
INSERT INTO cs_adapter.consistency_checks (started_at, finished_at, operator, result)
VALUES ($1, now(), $2, $3) RETURNING id, finished_at
"""
GET_CHECK: Final = """
SELECT id, started_at, finished_at, operator, result FROM cs_adapter.consistency_checks
WHERE id = $1
"""
LIST_CHECKS: Final = """
SELECT id, started_at, finished_at, operator, result FROM cs_adapter.consistency_checks
ORDER BY id DESC LIMIT $1
"""


@dataclass(frozen=True)
class OpenSupply:
    """A free-code request whose key is stored and whose batch is not yet with the registry."""

    id: int
    key: UUID
    count: int


class StateRepository:
    """Read and write the adapter's operating state on one connection."""

    def __init__(self, connection: AnyConnection) -> None:
        self._c = connection

    async def cursor(self) -> int:
        return int(await self._c.fetchval(GET_CURSOR))

    async def set_cursor(self, cursor: int) -> None:
        await self._c.execute(SET_CURSOR, cursor)

    async def add_notification(
        self,
        *,
        notification_id: UUID,
        cursor: int,
        type_: str,
        outcome: str,
        command_id: UUID | None,
        routing_key: str | None,
        detail: str | None,
        trace_id: str | None,
    ) -> None:
        await self._c.execute(
            ADD_NOTIFICATION,
            notification_id,
            cursor,
            type_,
            outcome,
            command_id,
            routing_key,
            detail,
            trace_id,
        )

    async def notifications(self, outcome: str | None, limit: int) -> list[dict[str, Any]]:
        return [dict(row) for row in await self._c.fetch(LIST_NOTIFICATIONS, outcome, limit)]

    async def answer_my_number_request(self, juminhyo_code: str, notification_id: UUID) -> None:
        await self._c.execute(ANSWER_REQUEST, juminhyo_code, notification_id)

    async def free_code_estimate(self) -> int:
        """Codes handed to the registry and not yet seen in use (its pool, as far as we know)."""
        return int(await self._c.fetchval(ESTIMATE))

    async def open_supply(self) -> OpenSupply | None:
        row = await self._c.fetchrow(OPEN_SUPPLY)
        return _supply(row) if row else None

    async def new_supply(self, key: UUID, count: int) -> OpenSupply | None:
        """Store a new request's key (None if another one is open meanwhile)."""
        row = await self._c.fetchrow(NEW_SUPPLY, key, count)
        return _supply(row) if row else None

    async def store_codes(self, supply_id: int, batch_id: str, codes: list[str]) -> None:
        await self._c.execute(STORE_CODES, supply_id, codes)
        await self._c.execute(SUPPLY_RECEIVED, supply_id, batch_id)

    async def supply_published(self, supply_id: int) -> None:
        await self._c.execute(SUPPLY_PUBLISHED, supply_id)

    async def add_check(
        self, *, started_at: datetime, operator: str, result: dict[str, Any]
    ) -> tuple[int, datetime]:
        row = await self._c.fetchrow(ADD_CHECK, started_at, operator, result)
        assert row is not None
        return row["id"], row["finished_at"]

    async def check(self, check_id: int) -> dict[str, Any] | None:
        row = await self._c.fetchrow(GET_CHECK, check_id)
        return dict(row) if row else None

    async def checks(self, limit: int) -> list[dict[str, Any]]:
        return [dict(row) for row in await self._c.fetch(LIST_CHECKS, limit)]


def _supply(row: Any) -> OpenSupply:
    return OpenSupply(row["id"], row["idempotency_key"], row["requested_count"])
