"""SQL over CS's delivery record (the platform's ledger), the identity snapshot and the
個人番号生成要求 (asyncpg).

A `DeliveryRepository` wraps one connection: inside the consumer kit's transaction it is the
kit's connection, so the records and the inbox row commit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

from jumin_platform.db import AnyConnection
from jumin_platform.deliveries import DeliveryLedger

from cs_adapter.config import SCHEMA

__all__ = ["DeliveryRepository", "Snapshot"]

SAVE_SNAPSHOT: Final = """
INSERT INTO cs_adapter.identity_snapshot
    (person_key, seq, event_id, juminhyo_code, body, my_number_hash, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, now())
ON CONFLICT (person_key) DO UPDATE SET
    seq = EXCLUDED.seq, event_id = EXCLUDED.event_id, juminhyo_code = EXCLUDED.juminhyo_code,
    body = EXCLUDED.body, my_number_hash = EXCLUDED.my_number_hash, updated_at = now()
WHERE cs_adapter.identity_snapshot.seq <= EXCLUDED.seq
"""

CLAIM_REQUEST: Final = """
INSERT INTO cs_adapter.my_number_requests
    (juminhyo_code, person_key, event_id, idempotency_key, reason)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING
RETURNING true
"""

MARK_CODE_SEEN: Final = """
UPDATE cs_adapter.free_codes SET seen_at = now(), seen_event_id = $2
WHERE code = $1 AND seen_at IS NULL
"""

CODES_CHANNEL: Final = "cs_adapter_free_codes"
"""NOTIFY channel: a supplied free code was seen in use (delivered when the transaction commits)."""
NOTIFY_CODE_SEEN: Final = f"SELECT pg_notify('{CODES_CHANNEL}', '')"

SNAPSHOTS_IN_RANGE: Final = """
SELECT person_key, juminhyo_code, body, my_number_hash FROM cs_adapter.identity_snapshot
WHERE juminhyo_code IS NOT NULL
  AND ($1::text IS NULL OR juminhyo_code > $1) AND ($2::text IS NULL OR juminhyo_code <= $2)
ORDER BY juminhyo_code, person_key
"""


@dataclass(frozen=True)
class Snapshot:
    """The registry's latest 本人確認情報 for one person, in CS form (個人番号 as keyed hash)."""

    person_key: str
    juminhyo_code: str | None
    body: dict[str, Any]
    my_number_hash: str | None


class DeliveryRepository(DeliveryLedger):
    """Read and write the adapter's records on one connection."""

    def __init__(self, connection: AnyConnection) -> None:
        super().__init__(connection, SCHEMA)

    async def save_snapshot(
        self, *, person_key: str, seq: int, event_id: UUID, body: dict[str, Any], hash_: str | None
    ) -> None:
        """Keep the newest 本人確認情報 per person (an older seq never overwrites a newer one)."""
        code = body.get("juminhyo_code")
        await self._c.execute(SAVE_SNAPSHOT, person_key, seq, event_id, code, body, hash_)

    async def claim_my_number_request(
        self, *, juminhyo_code: str, person_key: str, event_id: UUID, key: UUID, reason: str
    ) -> bool:
        """Record a 生成要求; False when it was already made (one 新規付番 per code, one 変更要求
        per key)."""
        claimed = await self._c.fetchval(
            CLAIM_REQUEST, juminhyo_code, person_key, event_id, key, reason
        )
        return bool(claimed)

    async def mark_code_seen(self, code: str, event_id: UUID) -> None:
        """Note a supplied free code in use; if it is news, wake the supply once this commits."""
        status: str = await self._c.execute(MARK_CODE_SEEN, code, event_id)
        if status.endswith(" 1"):
            await self._c.execute(NOTIFY_CODE_SEEN)

    async def snapshots_in_range(self, after: str | None, upto: str | None) -> list[Snapshot]:
        rows = await self._c.fetch(SNAPSHOTS_IN_RANGE, after, upto)
        return [
            Snapshot(r["person_key"], r["juminhyo_code"], dict(r["body"]), r["my_number_hash"])
            for r in rows
        ]
