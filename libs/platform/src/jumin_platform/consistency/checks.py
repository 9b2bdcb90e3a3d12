"""整合性確認 runs: paging through the external system, storing results, the schedule.

What is compared is the adapter's (CS's 本人確認情報, the 戸籍附票); what every adapter shares is
the walk (the external system's records a page at a time in 住民票コード order, the adapter's for
the same code range), where results go — one row per check: when, who (an operator or
`scheduler`), and a JSON result naming people by person key and fields by name, never values —
and how checks run on a timer.
A service puts `consistency_checks_ddl(...)` in one of its migrations (cs_adapter's table came
from its own 0002 migration, in the same shape).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Final

from jumin_platform.consistency.compare import Record, Report, compare_range
from jumin_platform.db import AnyConnection, check_identifier

__all__ = [
    "SCHEDULER",
    "CheckStore",
    "Page",
    "compare_in_pages",
    "consistency_checks_ddl",
    "run_periodically",
]

logger = logging.getLogger("jumin_platform.consistency_checks")

SCHEDULER: Final = "scheduler"
"""The operator recorded for a scheduled check."""

Page = tuple[Sequence[Record], str | None]
"""One page of the external system's records and the code to continue after (None: the last)."""

_TABLE: Final = """
CREATE TABLE IF NOT EXISTS {s}.consistency_checks (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz NOT NULL,
    operator         text NOT NULL,
    result           jsonb NOT NULL
);
"""
_GRANTS: Final = "GRANT SELECT, INSERT ON {s}.consistency_checks TO {r};\n"

ADD_CHECK: Final = """
INSERT INTO {s}.consistency_checks (started_at, finished_at, operator, result)
VALUES ($1, now(), $2, $3) RETURNING id, finished_at
"""
LIST_CHECKS: Final = """
SELECT id, started_at, finished_at, operator, result FROM {s}.consistency_checks
ORDER BY id DESC LIMIT $1
"""


def consistency_checks_ddl(schema: str, *, grant_to: str | None = None) -> str:
    """Return the DDL of the results table in `schema` (idempotent), with grants."""
    ddl = _TABLE.format(s=check_identifier(schema))
    if grant_to is not None:
        ddl += _GRANTS.format(s=schema, r=check_identifier(grant_to, what="role"))
    return ddl


class CheckStore:
    """Store and list 整合性確認 results on one connection."""

    def __init__(self, connection: AnyConnection, schema: str) -> None:
        self._c = connection
        self._s = check_identifier(schema)

    async def add(
        self, *, started_at: datetime, operator: str, result: dict[str, Any]
    ) -> tuple[int, datetime]:
        """Store a finished check; return its id and finishing time."""
        row = await self._c.fetchrow(ADD_CHECK.format(s=self._s), started_at, operator, result)
        assert row is not None
        return row["id"], row["finished_at"]

    async def latest(self, limit: int) -> list[dict[str, Any]]:
        """The latest results, newest first, flattened (`id`, times, `operator`, the result)."""
        rows = await self._c.fetch(LIST_CHECKS.format(s=self._s), limit)
        return [
            {**{k: v for k, v in row.items() if k != "result"}, **row["result"]} for row in rows
        ]


async def compare_in_pages(
    report: Report,
    *,
    theirs: Callable[[str | None], Awaitable[Page]],
    ours: Callable[[str | None, str | None], Awaitable[Iterable[Record]]],
    names: Sequence[str],
) -> Report:
    """Walk the external system's pages (`theirs(after)`), each against the adapter's records of
    the same code range (`ours(after, upto)`, upto None: all the rest); memory stays at a page."""
    after: str | None = None
    while True:
        records, following = await theirs(after)
        last_page = following is None or not records
        upto = None if last_page else records[-1].juminhyo_code
        compare_range(report, await ours(after, upto), records, names)
        if last_page:
            return report
        after = upto


async def run_periodically(
    check: Callable[[str, datetime], Awaitable[object]],
    *,
    every: float,
    clock: Callable[[], datetime],
) -> None:
    """Run `check(operator, started_at)` every `every` seconds (定期的な整合性確認), as `scheduler`.

    A failed round (the external system, the database) is logged and the next one tries again.
    """
    while True:
        await asyncio.sleep(every)
        try:
            await check(SCHEDULER, clock())
        except Exception as exc:
            logger.warning("scheduled consistency check failed: %s", type(exc).__name__)
