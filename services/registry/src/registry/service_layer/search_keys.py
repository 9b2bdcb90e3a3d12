"""Recompute the stored search keys (検索キー) after their rules changed (`reindex-search`)."""

from __future__ import annotations

from jumin_platform.db import AnyConnection

from registry.adapters.search_key_store import SearchKeyStore
from registry.domain.search_keys import SEARCH_KEYS_VERSION

BATCH_SIZE = 2_000


async def refresh_search_keys(
    connection: AnyConnection, *, everything: bool = False, batch_size: int = BATCH_SIZE
) -> int:
    """Recompute the keys of every row written under another SEARCH_KEYS_VERSION (or of every row
    with ``everything``), one transaction per batch so a stop loses at most a batch; return the
    number of rows refreshed. Names themselves are only read, never written.
    """
    store = SearchKeyStore(connection)
    after, refreshed = "", 0
    while True:
        async with connection.transaction():
            rows = await store.stale_rows(
                after=after, version=SEARCH_KEYS_VERSION, everything=everything, limit=batch_size
            )
            if not rows:
                return refreshed
            refreshed += await store.write_keys(rows)
        after = rows[-1].atena_no
