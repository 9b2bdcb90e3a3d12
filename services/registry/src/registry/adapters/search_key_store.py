"""Refresh the stored search keys of registry.resident_current (検索キーの再計算).

The keys are computed in Python (registry.domain.search_keys) from each person's current history
row; rows written under an older SEARCH_KEYS_VERSION (or before the keys existed) are recomputed
in batches, each in its own transaction, walking the primary key.
"""

from __future__ import annotations

from jumin_platform.db import AnyConnection

from registry.adapters.rows import current_to_json, history_from_record
from registry.domain.model import HistoryRow

STALE_BATCH = """
SELECT h.* FROM registry.resident_current c
  JOIN registry.resident_history h USING (atena_no, history_no)
 WHERE c.atena_no > $1 AND ($2 OR c.search_keys_version <> $3)
 ORDER BY c.atena_no
 LIMIT $4
"""

# Only the row that was read is updated: a change approved meanwhile moved the person to a newer
# history row and wrote that row's keys itself.
UPDATE_KEYS = """
UPDATE registry.resident_current AS c
   SET kana_key = k.kana_key, kana_loose_key = k.kana_loose_key, name_key = k.name_key,
       search_keys_version = k.search_keys_version
  FROM jsonb_to_recordset($1::jsonb) AS k (
           atena_no text, history_no integer, kana_key text, kana_loose_key text, name_key text,
           search_keys_version smallint)
 WHERE c.atena_no = k.atena_no AND c.history_no = k.history_no
"""

_KEY_COLUMNS = (
    "atena_no",
    "history_no",
    "kana_key",
    "kana_loose_key",
    "name_key",
    "search_keys_version",
)


class SearchKeyStore:
    """Read rows whose keys are stale and write their fresh keys, on one connection."""

    def __init__(self, connection: AnyConnection) -> None:
        self._connection = connection

    async def stale_rows(
        self, *, after: str, version: int, everything: bool, limit: int
    ) -> list[HistoryRow]:
        """Return up to ``limit`` current rows past 宛名番号 ``after`` whose keys need computing."""
        records = await self._connection.fetch(STALE_BATCH, after, everything, version, limit)
        return [history_from_record(r) for r in records]

    async def write_keys(self, rows: list[HistoryRow]) -> int:
        """Store the keys of each row computed now; return how many rows were updated."""
        keys = [{c: current_to_json(row)[c] for c in _KEY_COLUMNS} for row in rows]
        status = await self._connection.execute(UPDATE_KEYS, keys)  # jsonb codec of the pool
        return int(status.split()[-1])
