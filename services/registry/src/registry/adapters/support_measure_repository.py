"""Store 支援措置 in registry.support_measures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from registry.domain.support_measures import SupportMeasure

UPSERT = """
INSERT INTO registry.support_measures
    (measure_id, atena_no, provisional, starts_on, ends_on, ended_on, end_reason,
     created_by, created_at, updated_by, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (measure_id) DO UPDATE
   SET provisional = EXCLUDED.provisional, ends_on = EXCLUDED.ends_on,
       ended_on = EXCLUDED.ended_on, end_reason = EXCLUDED.end_reason,
       updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
"""

SELECT_ONE = "SELECT * FROM registry.support_measures WHERE measure_id = $1"

SELECT_OF_PERSON = """
SELECT * FROM registry.support_measures WHERE atena_no = $1 ORDER BY starts_on, measure_id
"""

PROTECTED_AMONG = """
SELECT DISTINCT atena_no FROM registry.support_measures
 WHERE atena_no = ANY ($1::text[])
   AND starts_on <= $2 AND ends_on >= $2
   AND (ended_on IS NULL OR ended_on > $2)
"""


def _measure(record: Mapping[str, Any]) -> SupportMeasure:
    return SupportMeasure(**dict(record))


class SupportMeasureRepository:
    """Read and write 支援措置 on the unit of work's connection."""

    def __init__(self, connection: asyncpg.Connection[Any]) -> None:
        self._connection = connection

    async def save(self, measure: SupportMeasure) -> None:
        """Insert or update a measure."""
        m = measure
        await self._connection.execute(
            UPSERT,
            m.measure_id,
            m.atena_no,
            m.provisional,
            m.starts_on,
            m.ends_on,
            m.ended_on,
            m.end_reason,
            m.created_by,
            m.created_at,
            m.updated_by,
            m.updated_at,
        )

    async def get(self, measure_id: UUID) -> SupportMeasure | None:
        """Return one measure."""
        record = await self._connection.fetchrow(SELECT_ONE, measure_id)
        return None if record is None else _measure(record)

    async def of_person(self, atena_no: str) -> list[SupportMeasure]:
        """Return every measure over a person, oldest first."""
        return [_measure(r) for r in await self._connection.fetch(SELECT_OF_PERSON, atena_no)]

    async def protected_among(self, atena_nos: Iterable[str], on: date) -> set[str]:
        """Return which of these people are under an active measure on a day."""
        records = await self._connection.fetch(PROTECTED_AMONG, list(atena_nos), on)
        return {r["atena_no"] for r in records}
