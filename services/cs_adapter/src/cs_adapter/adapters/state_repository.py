"""SQL over the adapter's operating state: 個人番号生成要求 answered, free codes (asyncpg, one
connection). The CS cursor, answers taken in and 整合性確認 results are the platform's
(`jumin_platform.inbound.store`, `jumin_platform.consistency.checks`); 手動連携 is the delivery
record's (`jumin_platform.deliveries`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

from jumin_platform.db import AnyConnection

__all__ = ["OpenSupply", "StateRepository"]

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


def _supply(row: Any) -> OpenSupply:
    return OpenSupply(row["id"], row["idempotency_key"], row["requested_count"])
