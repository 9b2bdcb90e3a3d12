"""Run a 整合性確認 (spec 7.1.1.2): page through CS's 本人確認情報 and compare with the snapshot.

Both sides are walked in 住民票コード order, one CS page at a time
(`jumin_platform.consistency.checks.compare_in_pages`), so memory stays at one page however large
the ward. The result is stored and returned; logs get counts only.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from jumin_platform.consistency.checks import Page, compare_in_pages
from jumin_platform.consistency.compare import Record
from jumin_platform.my_number_vault import MyNumberVault

from cs_adapter.adapters.cs_client import CsClient, CsIdentityRecord
from cs_adapter.adapters.deliveries_repository import Snapshot
from cs_adapter.domain.consistency import COMPARED_FIELDS, cs_record, new_report
from cs_adapter.service_layer.unit_of_work import UnitsOfWork

logger = logging.getLogger("cs_adapter.consistency")

PAGE = 1000
"""本人確認情報 per CS call (the simulator's most)."""


async def run_check(
    uow: UnitsOfWork,
    cs: CsClient,
    vault: MyNumberVault,
    *,
    operator: str,
    started_at: datetime,
    page: int = PAGE,
) -> dict[str, Any]:
    """Compare everything; store and return the result (`id`, times, the differences)."""

    async def theirs(after: str | None) -> Page:
        records, following = await cs.identities(after=after, limit=page)
        return [_theirs(vault, r) for r in records], following

    async def ours(after: str | None, upto: str | None) -> list[Record]:
        async with uow() as unit:
            return [_ours(s) for s in await unit.deliveries.snapshots_in_range(after, upto)]

    report = await compare_in_pages(new_report(), theirs=theirs, ours=ours, names=COMPARED_FIELDS)
    result = report.as_json()
    async with uow() as unit:
        check_id, finished_at = await unit.checks.add(
            started_at=started_at, operator=operator, result=result
        )
        await unit.commit()
    logger.info(
        "consistency check %d: %d checked, %d missing at CS, %d unknown at CS, %d mismatched",
        check_id,
        report.checked,
        len(report.missing),
        len(report.unknown),
        len(report.mismatched),
    )
    return {"id": check_id, "started_at": started_at, "finished_at": finished_at, **result}


def _ours(snapshot: Snapshot) -> Record:
    assert snapshot.juminhyo_code is not None  # the query skips records without one
    return cs_record(
        snapshot.juminhyo_code, snapshot.body, snapshot.my_number_hash, snapshot.person_key
    )


def _theirs(vault: MyNumberVault, record: CsIdentityRecord) -> Record:
    number = record.body.get("my_number")
    hashed = vault.lookup_hash(number) if isinstance(number, str) and number else None
    return cs_record(record.juminhyo_code, record.body, hashed, record.receipt_no or "?")
