"""Read stored records page by page for the character check (jumin-registry check-characters)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from registry.domain.characters import STORED_TEXT_ITEMS

PAGE = f"""
SELECT atena_no, history_no, change_id::text, {", ".join(STORED_TEXT_ITEMS)}
  FROM registry.resident_history
 WHERE (atena_no, history_no) > ($1, $2)
 ORDER BY atena_no, history_no
 LIMIT $3
"""

GAIJI = "SELECT code_point FROM registry.gaiji"

PAGE_ROWS = 5_000


async def registered_gaiji(connection: asyncpg.Connection[Any]) -> frozenset[str]:
    """Return the registered 外字 as characters."""
    return frozenset(chr(row["code_point"]) for row in await connection.fetch(GAIJI))


async def history_rows(
    connection: asyncpg.Connection[Any], *, page_rows: int = PAGE_ROWS
) -> AsyncIterator[asyncpg.Record]:
    """Yield every history row (current and past, 除票 too), in pages (keyset: no cursor)."""
    after: tuple[str, int] = ("", 0)
    while True:
        page = await connection.fetch(PAGE, *after, page_rows)
        for row in page:
            yield row
        if len(page) < page_rows:
            return
        after = (page[-1]["atena_no"], page[-1]["history_no"])
