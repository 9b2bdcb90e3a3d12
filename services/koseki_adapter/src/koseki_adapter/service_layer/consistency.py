"""Run a 整合性確認 of the 戸籍附票: page through the 附票 and compare each page's code range with
each person's latest accepted notice (`adapters.accepted_notices`). The result is stored and
returned; logs get counts only. It never changes data: differences are for an operator to act on.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from jumin_platform.consistency.checks import Page, compare_in_pages
from jumin_platform.consistency.compare import Record

from koseki_adapter.adapters.fuhyo_reads import FuhyoReads
from koseki_adapter.domain.consistency import COMPARED_ITEMS, new_report, result_of, sent_record
from koseki_adapter.service_layer.unit_of_work import UnitsOfWork

logger = logging.getLogger("koseki_adapter.consistency")

PAGE = 1000
"""附票 records per call (the simulator's most)."""


async def run_check(
    uow: UnitsOfWork,
    reads: FuhyoReads,
    *,
    operator: str,
    started_at: datetime,
    page: int = PAGE,
) -> dict[str, Any]:
    """Compare everything; store and return the result (`id`, times, the differences)."""

    async def theirs(after: str | None) -> Page:
        lines, following = await reads.fuhyo(after=after, limit=page)
        return [line.record() for line in lines], following

    async def ours(after: str | None, upto: str | None) -> list[Record]:
        async with uow() as unit:
            found = await unit.accepted.in_range(after, upto)
        return [r for n in found if (r := sent_record(n.person_key, n.body)) is not None]

    report = await compare_in_pages(new_report(), theirs=theirs, ours=ours, names=COMPARED_ITEMS)
    result = result_of(report)
    async with uow() as unit:
        check_id, finished_at = await unit.checks.add(
            started_at=started_at, operator=operator, result=result
        )
        await unit.commit()
    logger.info(
        "consistency check %d: %d checked, %d missing at 附票, %d unknown, %d mismatched",
        check_id,
        report.checked,
        len(report.missing),
        len(report.unknown),
        len(report.mismatched),
    )
    return {"id": check_id, "started_at": started_at, "finished_at": finished_at, **result}
