"""Registered 外字 (registry.gaiji): add one, find the free code point, look some up."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import asyncpg

from registry.domain.gaiji import Gaiji, Glyph

COLUMNS = """code_point, glyph_png, glyph_width, glyph_height, reason, substitute,
       registered_by, registered_at"""

ADD = f"""
INSERT INTO registry.gaiji ({COLUMNS})
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (code_point) DO NOTHING
RETURNING code_point
"""

# The next free code point of the BMP private-use area, from U+E000 up.
NEXT_FREE = """
SELECT min(candidate) FROM generate_series(57344, 63743) AS candidate
 WHERE NOT EXISTS (SELECT 1 FROM registry.gaiji g WHERE g.code_point = candidate)
"""

SUBSTITUTES = """
SELECT code_point, substitute FROM registry.gaiji WHERE code_point = ANY($1::integer[])
"""

ALL = f"SELECT {COLUMNS} FROM registry.gaiji ORDER BY code_point"

# Serialises registrations that let the registry choose, so two get two code points (a
# transaction-level advisory lock: the service role may insert, not lock the table).
LOCK = "SELECT pg_advisory_xact_lock(hashtext('registry.gaiji'))"


def _gaiji(row: asyncpg.Record) -> Gaiji:
    return Gaiji(
        code_point=row["code_point"],
        glyph=Glyph(
            png=bytes(row["glyph_png"]), width=row["glyph_width"], height=row["glyph_height"]
        ),
        reason=row["reason"],
        substitute=row["substitute"],
        registered_by=row["registered_by"],
        registered_at=row["registered_at"],
    )


class GaijiRepository:
    """Read and add 外字 on the unit of work's connection."""

    def __init__(self, connection: asyncpg.Connection[Any]) -> None:
        self._connection = connection

    async def add(self, gaiji: Gaiji) -> bool:
        """Register a 外字; False if its code point is taken."""
        code_point = await self._connection.fetchval(
            ADD,
            gaiji.code_point,
            gaiji.glyph.png,
            gaiji.glyph.width,
            gaiji.glyph.height,
            gaiji.reason,
            gaiji.substitute,
            gaiji.registered_by,
            gaiji.registered_at,
        )
        return code_point is not None

    async def next_free(self) -> int | None:
        """Lock the table and return the lowest free BMP private-use code point (None: full)."""
        await self._connection.execute(LOCK)
        value = await self._connection.fetchval(NEXT_FREE)
        return None if value is None else int(value)

    async def substitutes(self, chars: Collection[str]) -> dict[str, str]:
        """Return the substitute of each registered 外字 among *chars* (unregistered: absent)."""
        if not chars:
            return {}
        rows = await self._connection.fetch(SUBSTITUTES, [ord(c) for c in chars])
        return {chr(row["code_point"]): row["substitute"] for row in rows}

    async def all(self) -> list[Gaiji]:
        """Return every registered 外字, by code point."""
        return [_gaiji(row) for row in await self._connection.fetch(ALL)]
