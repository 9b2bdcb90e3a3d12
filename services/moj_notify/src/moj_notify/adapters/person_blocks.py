"""SQL over the per-person blocks (`moj_notify.person_blocks`): a person with an open block gets
no notice sent until an operator clears it.

Two sources set them: a notice the ministry refused (`refusal`, the dispatcher) and a 処理結果 in
error not yet handled (`result`, the results import). Reasons are codes, never values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

import asyncpg
from jumin_platform.db import AnyConnection

__all__ = ["BlockSource", "PersonBlock", "PersonBlocks"]

BlockSource = Literal["refusal", "result"]

COLUMNS: Final = (
    "id, person_key, source, notice_id, delivery_id, reason, created_at, cleared_at, cleared_by, "
    "clear_note"
)
ADD: Final = f"""
INSERT INTO moj_notify.person_blocks (person_key, source, notice_id, delivery_id, reason)
VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}
"""
OPEN_OF: Final = f"""
SELECT {COLUMNS} FROM moj_notify.person_blocks
WHERE person_key = $1 AND cleared_at IS NULL ORDER BY id
"""
CLEAR_OF_NOTICE: Final = """
UPDATE moj_notify.person_blocks SET cleared_at = now(), cleared_by = $3, clear_note = $4
WHERE notice_id = $1 AND source = $2 AND cleared_at IS NULL
"""
CLEAR: Final = f"""
UPDATE moj_notify.person_blocks SET cleared_at = now(), cleared_by = $2, clear_note = $3
WHERE id = $1 AND cleared_at IS NULL RETURNING {COLUMNS}
"""


@dataclass(frozen=True, kw_only=True)
class PersonBlock:
    """One block of a person's notices (open while `cleared_at` is None)."""

    id: int
    person_key: str
    source: BlockSource
    notice_id: int | None
    delivery_id: int | None
    reason: str
    created_at: datetime
    cleared_at: datetime | None
    cleared_by: str | None
    clear_note: str | None


class PersonBlocks:
    """Set, read and clear blocks on one connection."""

    def __init__(self, connection: AnyConnection) -> None:
        self._c = connection

    async def add(
        self,
        person_key: str,
        *,
        source: BlockSource,
        reason: str,
        notice_id: int | None = None,
        delivery_id: int | None = None,
    ) -> PersonBlock:
        """Block the person's notices (the dispatcher skips them until cleared)."""
        row = await self._c.fetchrow(ADD, person_key, source, notice_id, delivery_id, reason)
        assert row is not None
        return _block(row)

    async def open_of(self, person_key: str) -> list[PersonBlock]:
        return [_block(row) for row in await self._c.fetch(OPEN_OF, person_key)]

    async def clear(self, block_id: int, *, operator: str, note: str) -> PersonBlock | None:
        """Clear one open block (None: no such open block)."""
        row = await self._c.fetchrow(CLEAR, block_id, operator, note)
        return _block(row) if row else None

    async def clear_of_notice(
        self, notice_id: int, *, source: BlockSource, operator: str, note: str
    ) -> None:
        """Clear the open blocks a notice set."""
        await self._c.execute(CLEAR_OF_NOTICE, notice_id, source, operator, note)


def _block(row: asyncpg.Record) -> PersonBlock:
    return PersonBlock(**dict(row))
