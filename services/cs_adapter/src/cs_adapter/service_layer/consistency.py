"""Run a 整合性確認 (spec 7.1.1.2): page through CS's 本人確認情報 and compare with the snapshot.

Both sides are walked in 住民票コード order, one CS page at a time: each page covers the codes up
to its last one, so memory stays at one page however large the ward. The result is stored and
returned; logs get counts only.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from jumin_platform.my_number_vault import MyNumberVault

from cs_adapter.adapters.cs_client import CsClient, CsIdentityRecord
from cs_adapter.adapters.deliveries_repository import Snapshot
from cs_adapter.domain.consistency import ConsistencyReport, Side, compare_range
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
    report = ConsistencyReport()
    after: str | None = None
    while True:
        records, following = await cs.identities(after=after, limit=page)
        last_page = following is None or not records
        # This page covers the codes after `after` up to its last one; the last page, all the rest.
        upto = None if last_page else records[-1].juminhyo_code
        async with uow() as unit:
            snapshots = await unit.deliveries.snapshots_in_range(after, upto)
        compare_range(report, map(_ours, snapshots), (_theirs(vault, r) for r in records))
        if last_page:
            break
        after = upto
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
        len(report.missing_at_cs),
        len(report.unknown_at_cs),
        len(report.mismatched),
    )
    return {"id": check_id, "started_at": started_at, "finished_at": finished_at, **result}


def _ours(snapshot: Snapshot) -> Side:
    assert snapshot.juminhyo_code is not None  # the query skips records without one
    return Side(snapshot.juminhyo_code, snapshot.body, snapshot.my_number_hash, snapshot.person_key)


def _theirs(vault: MyNumberVault, record: CsIdentityRecord) -> Side:
    number = record.body.get("my_number")
    hashed = vault.lookup_hash(number) if isinstance(number, str) and number else None
    return Side(record.juminhyo_code, record.body, hashed, record.receipt_no or "?")
