"""Read and append 異動履歴 (registry.resident_history) and its current index."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
from jumin_contracts.check_digits import make_atena_no
from jumin_platform.my_number_vault import MyNumberVault

from registry.adapters.rows import (
    current_to_json,
    history_from_record,
    history_to_json,
    seal_my_number,
)
from registry.domain.model import HistoryRow

CURRENT_ROWS = """
SELECT h.* FROM registry.resident_current c
  JOIN registry.resident_history h USING (atena_no, history_no)
 WHERE c.atena_no = ANY ($1::text[])
 ORDER BY c.atena_no
"""

LOCK_CURRENT = """
SELECT atena_no FROM registry.resident_current
 WHERE atena_no = ANY ($1::text[]) OR (household_no = ANY ($2::text[]) AND status = 'resident')
 ORDER BY atena_no
   FOR UPDATE
"""

HOUSEHOLD_MEMBERS = """
SELECT atena_no FROM registry.resident_current
 WHERE household_no = ANY ($1::text[]) AND status = 'resident'
"""

INSERT_HISTORY = """
INSERT INTO registry.resident_history
SELECT * FROM jsonb_populate_recordset(NULL::registry.resident_history, $1::jsonb)
"""

UPSERT_CURRENT = """
INSERT INTO registry.resident_current AS c
SELECT * FROM jsonb_populate_recordset(NULL::registry.resident_current, $1::jsonb)
ON CONFLICT (atena_no) DO UPDATE
   SET history_no = EXCLUDED.history_no, status = EXCLUDED.status,
       occurred_on_sort = EXCLUDED.occurred_on_sort,
       household_no = EXCLUDED.household_no, is_head = EXCLUDED.is_head,
       kana_key = EXCLUDED.kana_key, kana_loose_key = EXCLUDED.kana_loose_key,
       name_key = EXCLUDED.name_key, search_keys_version = EXCLUDED.search_keys_version,
       birth_date_sort = EXCLUDED.birth_date_sort, address = EXCLUDED.address,
       juminhyo_code = EXCLUDED.juminhyo_code, my_number_hash = EXCLUDED.my_number_hash
"""

INSERT_HOUSEHOLDS = """
INSERT INTO registry.households (household_no, created_at)
SELECT unnest($1::text[]), $2
ON CONFLICT DO NOTHING
"""

# A NULL 処理時点 means every approved row (the default reads' "latest known", register_time).
IN_FORCE = """
SELECT h.* FROM unnest($1::text[]) AS p (atena_no)
CROSS JOIN LATERAL (
    SELECT * FROM registry.resident_history r
     WHERE r.atena_no = p.atena_no AND r.occurred_on_sort <= $2
       AND r.recorded_at <= coalesce($3::timestamptz, 'infinity')
     ORDER BY r.history_no DESC
     LIMIT 1
) h
"""

LATEST_KNOWN = """
SELECT h.* FROM unnest($1::text[]) AS p (atena_no)
CROSS JOIN LATERAL (
    SELECT * FROM registry.resident_history r
     WHERE r.atena_no = p.atena_no AND r.recorded_at <= coalesce($2::timestamptz, 'infinity')
     ORDER BY r.history_no DESC
     LIMIT 1
) h
"""

HISTORY = """
SELECT * FROM registry.resident_history WHERE atena_no = $1 ORDER BY history_no
"""

HOUSEHOLD_AS_OF = """
WITH candidates AS (
    SELECT DISTINCT atena_no FROM registry.resident_history WHERE household_no = $1
)
SELECT h.* FROM candidates c
CROSS JOIN LATERAL (
    SELECT * FROM registry.resident_history r
     WHERE r.atena_no = c.atena_no AND r.occurred_on_sort <= $2
       AND r.recorded_at <= coalesce($3::timestamptz, 'infinity')
     ORDER BY r.history_no DESC
     LIMIT 1
) h
WHERE h.household_no = $1 AND h.status = 'resident'
ORDER BY h.is_head DESC, h.atena_no
"""

ROWS_OF_CHANGE = """
SELECT DISTINCT ON (atena_no) * FROM registry.resident_history
 WHERE change_id = $1
 ORDER BY atena_no, history_no DESC
"""

ROW_BEFORE_CHANGE = """
SELECT * FROM registry.resident_history
 WHERE atena_no = $1
   AND history_no < (SELECT min(history_no) FROM registry.resident_history
                      WHERE atena_no = $1 AND change_id = $2)
 ORDER BY history_no DESC
 LIMIT 1
"""

CHANGES_TOUCHING_AFTER = """
SELECT change_id FROM registry.resident_history
 WHERE atena_no = ANY ($2::text[]) AND recorded_at > $1
UNION
SELECT change_id FROM registry.resident_history
 WHERE household_no = ANY ($3::text[]) AND recorded_at > $1
UNION
SELECT h.change_id FROM registry.resident_history p
  JOIN registry.resident_history h ON h.atena_no = p.atena_no AND h.history_no = p.history_no + 1
 WHERE p.household_no = ANY ($3::text[]) AND h.recorded_at > $1
"""

ROWS_OF_CHANGES = """
SELECT * FROM registry.resident_history WHERE change_id = ANY ($1::uuid[])
 ORDER BY recorded_at, change_id, atena_no, history_no
"""

ROWS_BY_KEY = """
SELECT h.* FROM unnest($1::text[], $2::integer[]) AS k (atena_no, history_no)
  JOIN registry.resident_history h USING (atena_no, history_no)
"""

NEXT_ATENA = "SELECT nextval('registry.atena_seq')"
NEXT_HOUSEHOLD = "SELECT nextval('registry.household_seq')"


class HistoryRepository:
    """Access history rows on the unit of work's connection; returns domain objects."""

    def __init__(
        self, connection: asyncpg.Connection[Any], vault: MyNumberVault | None = None
    ) -> None:
        """Wrap a connection; the vault is needed only to append (reads never decrypt)."""
        self._connection = connection
        self._vault = vault

    async def lock(self, atena_nos: Iterable[str], household_nos: Iterable[str]) -> list[str]:
        """Lock people and the resident members of households; return everyone locked."""
        records = await self._connection.fetch(LOCK_CURRENT, list(atena_nos), list(household_nos))
        return [r["atena_no"] for r in records]

    async def current(self, atena_nos: Iterable[str]) -> dict[str, HistoryRow]:
        """Return the latest approved row of each person that exists."""
        records = await self._connection.fetch(CURRENT_ROWS, list(atena_nos))
        return {r["atena_no"]: history_from_record(r) for r in records}

    async def append(self, rows: list[HistoryRow], *, recorded_at: datetime) -> None:
        """Append rows (never overwriting) and move each person's current pointer.

        A 個人番号 in plain digits is sealed here, so only ciphertext reaches the database.
        """
        if self._vault is None:
            raise RuntimeError("appending history needs the 個人番号 vault")
        vault = self._vault
        rows = [seal_my_number(row, vault) for row in rows]
        households = sorted({row.person.household_no for row in rows})
        await self._connection.execute(INSERT_HOUSEHOLDS, households, recorded_at)
        await self._connection.execute(INSERT_HISTORY, [history_to_json(r) for r in rows])
        latest = {row.atena_no: row for row in rows}  # a person may get two rows (帰化)
        await self._connection.execute(
            UPSERT_CURRENT, [current_to_json(r) for r in latest.values()]
        )

    async def in_force(
        self, atena_nos: Iterable[str], *, on: date, known_at: datetime | None
    ) -> dict[str, HistoryRow]:
        """Return each person's row in force on 異動日 ``on`` as known at ``known_at``.

        ``known_at`` None means every approved row (the latest the register knows).
        """
        records = await self._connection.fetch(IN_FORCE, list(atena_nos), on, known_at)
        return {r["atena_no"]: history_from_record(r) for r in records}

    async def latest_known(
        self, atena_nos: Iterable[str], *, known_at: datetime | None
    ) -> dict[str, HistoryRow]:
        """Return each person's last row approved by ``known_at`` (None: the latest of all)."""
        records = await self._connection.fetch(LATEST_KNOWN, list(atena_nos), known_at)
        return {r["atena_no"]: history_from_record(r) for r in records}

    async def history(self, atena_no: str) -> list[HistoryRow]:
        """Return every row of a person, 履歴番号 ascending."""
        return [history_from_record(r) for r in await self._connection.fetch(HISTORY, atena_no)]

    async def household_as_of(
        self, household_no: str, *, on: date, known_at: datetime | None
    ) -> list[HistoryRow]:
        """Return the members of a household on a date, head first (世帯構成)."""
        records = await self._connection.fetch(HOUSEHOLD_AS_OF, household_no, on, known_at)
        return [history_from_record(r) for r in records]

    async def rows_of_change(self, change_id: UUID) -> list[HistoryRow]:
        """Return each person's last row written by a change."""
        records = await self._connection.fetch(ROWS_OF_CHANGE, change_id)
        return [history_from_record(r) for r in records]

    async def row_before_change(self, atena_no: str, change_id: UUID) -> HistoryRow | None:
        """Return a person's row just before a change touched them (None if it entered them)."""
        record = await self._connection.fetchrow(ROW_BEFORE_CHANGE, atena_no, change_id)
        return None if record is None else history_from_record(record)

    async def changes_touching_after(
        self, recorded_after: datetime, atena_nos: Iterable[str], household_nos: Iterable[str]
    ) -> list[UUID]:
        """Return the changes recorded later that wrote a row for these people or 世帯."""
        records = await self._connection.fetch(
            CHANGES_TOUCHING_AFTER, recorded_after, list(atena_nos), list(household_nos)
        )
        return [r["change_id"] for r in records]

    async def rows_of_changes(self, change_ids: Iterable[UUID]) -> list[HistoryRow]:
        """Return every row the changes wrote, in the order they were recorded."""
        records = await self._connection.fetch(ROWS_OF_CHANGES, list(change_ids))
        return [history_from_record(r) for r in records]

    async def rows_by_key(
        self, keys: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], HistoryRow]:
        """Return the rows with these (宛名番号, 履歴番号)."""
        atena_nos, history_nos = zip(*keys, strict=True) if keys else ((), ())
        records = await self._connection.fetch(ROWS_BY_KEY, list(atena_nos), list(history_nos))
        rows = (history_from_record(r) for r in records)
        return {(row.atena_no, row.history_no): row for row in rows}

    async def new_atena_no(self) -> str:
        """Allocate a 宛名番号 (serial number + check digit, spec 1.1.13)."""
        return make_atena_no(await self._connection.fetchval(NEXT_ATENA))

    async def new_household_no(self) -> str:
        """Allocate a 世帯番号 (serial number + check digit, spec 1.1.13)."""
        return make_atena_no(await self._connection.fetchval(NEXT_HOUSEHOLD))
