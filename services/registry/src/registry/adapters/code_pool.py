"""The pool of free 住民票コード received from CS (registry.juminhyo_code_pool, spec 4.3.1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

# A code already on someone's record is not free, whatever CS says: never pool it.
ADD = """
WITH added AS (
    INSERT INTO registry.juminhyo_code_pool (code, received_at)
    SELECT DISTINCT u.code, $2::timestamptz FROM unnest($1::text[]) AS u(code)
     WHERE NOT EXISTS (SELECT 1 FROM registry.resident_current c WHERE c.juminhyo_code = u.code)
    ON CONFLICT (code) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM added
"""

# Chosen at random (spec 4.3.1: 無作為); SKIP LOCKED lets two approvals draw in parallel.
TAKE = """
UPDATE registry.juminhyo_code_pool SET assigned_to_atena_no = $1, assigned_at = $2
 WHERE code = (SELECT code FROM registry.juminhyo_code_pool
                WHERE assigned_to_atena_no IS NULL
                ORDER BY random() LIMIT 1
                  FOR UPDATE SKIP LOCKED)
RETURNING code
"""

FREE = "SELECT count(*) FROM registry.juminhyo_code_pool WHERE assigned_to_atena_no IS NULL"


class CodePool:
    """Add free codes and draw one at random, on the unit of work's connection."""

    def __init__(self, connection: asyncpg.Connection[Any]) -> None:
        self._connection = connection

    async def add(self, codes: Sequence[str], *, received_at: datetime) -> int:
        """Pool the codes not already pooled or in use; return how many were new."""
        return int(await self._connection.fetchval(ADD, list(codes), received_at))

    async def take(self, *, atena_no: str, at: datetime) -> str | None:
        """Assign a free code, chosen at random, to a person; None when the pool is empty."""
        code = await self._connection.fetchval(TAKE, atena_no, at)
        return None if code is None else str(code)

    async def free(self) -> int:
        """Return how many codes are still free."""
        return int(await self._connection.fetchval(FREE))
