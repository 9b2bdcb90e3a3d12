"""Queries over the access log for auditors (ログの分析, spec 10.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from jumin_platform.db import AnyConnection

_COLUMNS = """seq, occurred_at, operator, terminal, function, subjects, my_number_accessed,
       outcome, status_code, trace_id"""

_LOCAL = "(occurred_at AT TIME ZONE 'Asia/Tokyo')"

ENTRIES = f"""
SELECT {_COLUMNS} FROM registry.access_log
 WHERE occurred_at >= $1 AND occurred_at < $2
 ORDER BY seq LIMIT $3 OFFSET $4
"""

ENTRIES_OF_OPERATOR = f"""
SELECT {_COLUMNS} FROM registry.access_log
 WHERE occurred_at >= $1 AND occurred_at < $2 AND operator = $5
 ORDER BY seq LIMIT $3 OFFSET $4
"""

ENTRIES_ABOUT_PERSON = f"""
SELECT {_COLUMNS} FROM registry.access_log
 WHERE occurred_at >= $1 AND occurred_at < $2 AND subjects @> ARRAY[$5::text]
 ORDER BY seq LIMIT $3 OFFSET $4
"""

OFF_HOURS = f"""
SELECT {_COLUMNS} FROM registry.access_log
 WHERE occurred_at >= $1 AND occurred_at < $2
   AND (extract(isodow FROM {_LOCAL}) IN (6, 7)
        OR {_LOCAL}::date = ANY ($5::date[])
        OR {_LOCAL}::time < $6 OR {_LOCAL}::time >= $7)
 ORDER BY seq LIMIT $3 OFFSET $4
"""

MY_NUMBER_ACCESS = f"""
SELECT {_COLUMNS} FROM registry.access_log
 WHERE occurred_at >= $1 AND occurred_at < $2 AND my_number_accessed
 ORDER BY seq LIMIT $3 OFFSET $4
"""

FAILED_AUTHENTICATIONS = f"""
SELECT {_COLUMNS} FROM registry.access_log
 WHERE occurred_at >= $1 AND occurred_at < $2 AND outcome = 'unauthenticated'
 ORDER BY seq LIMIT $3 OFFSET $4
"""

MASS_SEARCHES = f"""
SELECT operator, date_trunc('hour', {_LOCAL}) AS hour_local, count(DISTINCT seq) AS searches,
       count(DISTINCT s) AS people
  FROM registry.access_log LEFT JOIN LATERAL unnest(subjects) AS s ON true
 WHERE occurred_at >= $1 AND occurred_at < $2 AND function = ANY ($3::text[])
 GROUP BY operator, hour_local
HAVING count(DISTINCT seq) >= $4
 ORDER BY searches DESC, operator
"""


@dataclass(frozen=True)
class Window:
    """A half-open time range [start, end) and a page of it."""

    start: datetime
    end: datetime
    limit: int
    offset: int


class AuditQueries:
    """Run the auditors' analyses on one connection."""

    def __init__(self, connection: AnyConnection) -> None:
        self._connection = connection

    async def _page(self, query: str, window: Window, *extra: object) -> list[dict[str, Any]]:
        records = await self._connection.fetch(
            query, window.start, window.end, window.limit, window.offset, *extra
        )
        return [dict(r) for r in records]

    async def entries(
        self, window: Window, *, operator: str | None, atena_no: str | None
    ) -> list[dict[str, Any]]:
        """List access-log rows, optionally of one operator or about one person."""
        if operator is not None:
            return await self._page(ENTRIES_OF_OPERATOR, window, operator)
        if atena_no is not None:
            return await self._page(ENTRIES_ABOUT_PERSON, window, atena_no)
        return await self._page(ENTRIES, window)

    async def off_hours(
        self, window: Window, *, closed_days: list[date], opens: time, closes: time
    ) -> list[dict[str, Any]]:
        """List accesses at night, at weekends and on closed days (深夜・休業日)."""
        return await self._page(OFF_HOURS, window, closed_days, opens, closes)

    async def my_number_access(self, window: Window) -> list[dict[str, Any]]:
        """List accesses that showed or looked up a 個人番号."""
        return await self._page(MY_NUMBER_ACCESS, window)

    async def failed_authentications(self, window: Window) -> list[dict[str, Any]]:
        """List refused authentications (ログイン失敗一覧)."""
        return await self._page(FAILED_AUTHENTICATIONS, window)

    async def mass_searches(
        self, window: Window, *, functions: list[str], threshold: int
    ) -> list[dict[str, Any]]:
        """List operators who searched at least ``threshold`` times in an hour (大量検索)."""
        records = await self._connection.fetch(
            MASS_SEARCHES, window.start, window.end, functions, threshold
        )
        return [dict(r) for r in records]
