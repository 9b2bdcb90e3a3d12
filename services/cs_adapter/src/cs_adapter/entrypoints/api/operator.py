"""The CS operator API (spec 7.1.1.1 / 7.1.1.2): 送信一覧, 再送信, 手動連携, 整合性確認.

Reads need the admin or auditor role, actions the admin role. Listings carry ids, field names and
CS replies; the 電文 themselves (personal data, 個人番号 unsealed) leave only through the held
export, which exists to hand them over by hand.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from jumin_platform.access_logging import access_context
from jumin_platform.problems import PROBLEM_RESPONSES

from cs_adapter.adapters.deliveries_repository import DeliveryFilter
from cs_adapter.bootstrap import ward_now
from cs_adapter.domain.deliveries import Delivery
from cs_adapter.entrypoints.api.dependencies import AdapterDep, Admin, Reader
from cs_adapter.entrypoints.api.schemas import (
    NO_NUL,
    ConsistencyOut,
    DeliveryOut,
    HandOverIn,
    HandOverOut,
    ManualModeIn,
    ManualModeOut,
    NotificationOut,
    ReleaseOut,
    ResendIn,
    ResendItemOut,
)
from cs_adapter.service_layer import consistency, held, resend

router = APIRouter(prefix="/operator", tags=["cs operator"], responses=PROBLEM_RESPONSES)

Limit = Annotated[int, Query(ge=1, le=1000, description="最大件数 (at most this many)")]
Status = Literal["sent", "held", "rejected", "failed", "handed_over"]
Type = Literal["identity", "fuhyo_notice", "my_number_request", "moveout_certificate"]


@router.get("/deliveries", response_model=list[DeliveryOut])
async def list_deliveries(
    http: Request,
    adapter: AdapterDep,
    _: Reader,
    event_id: UUID | None = None,
    person_key: Annotated[str | None, Query(max_length=128, pattern=NO_NUL)] = None,
    type: Type | None = None,
    status: Status | None = None,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: datetime | None = None,
    limit: Limit = 100,
) -> list[DeliveryOut]:
    """送信した電文の一覧: newest first, filtered (from/to on when sent, else when recorded)."""
    wanted = DeliveryFilter(
        event_id=event_id,
        person_key=person_key,
        type=type,
        status=status,
        sent_from=from_,
        sent_to=to,
        limit=limit,
    )
    async with adapter.uow() as unit:
        found = await unit.deliveries.find(wanted)
    access_context(http).touch(*([person_key] if person_key else []), *_people(found))
    return [DeliveryOut.of(d) for d in found]


@router.post("/deliveries/resend", response_model=list[ResendItemOut])
async def resend_deliveries(
    http: Request, body: ResendIn, adapter: AdapterDep, staff: Admin
) -> list[ResendItemOut]:
    """再送信: new transmissions (new idempotency keys), optionally with another 異動事由."""
    request = resend.ResendRequest(
        delivery_ids=body.delivery_ids,
        sent_from=body.sent_from,
        sent_to=body.sent_to,
        change_reason=body.change_reason.value if body.change_reason else None,
        operator=staff.user_id,
        reason=body.reason,
    )
    outcomes = await resend.resend(
        adapter.uow, adapter.cs, adapter.vault, request, most=adapter.settings.resend_max
    )
    access_context(http).touch(*(o.person_key for o in outcomes))
    return [ResendItemOut.model_validate(o, from_attributes=True) for o in outcomes]


@router.get("/manual-mode", response_model=ManualModeOut)
async def get_manual_mode(adapter: AdapterDep, _: Reader) -> ManualModeOut:
    """手動連携の状態 and its history."""
    async with adapter.uow() as unit:
        state = unit.state
        mode = await state.manual_mode()
        history = await state.manual_history(50)
    return ManualModeOut(**vars(mode), history=history)


@router.put("/manual-mode", response_model=ManualModeOut)
async def put_manual_mode(body: ManualModeIn, adapter: AdapterDep, staff: Admin) -> ManualModeOut:
    """Switch 手動連携 on (messages are held) or off (new messages are sent; release the held)."""
    await held.switch_manual_mode(
        adapter.uow, manual=body.manual, operator=staff.user_id, reason=body.reason
    )
    return await get_manual_mode(adapter, staff)


@router.get("/held", response_model=list[DeliveryOut])
async def list_held(
    http: Request, adapter: AdapterDep, _: Reader, limit: Limit = 1000
) -> list[DeliveryOut]:
    """保留中の電文 (手動連携), oldest first, without their contents."""
    async with adapter.uow() as unit:
        found = await unit.deliveries.list_held(limit)
    access_context(http).touch(*_people(found))
    return [DeliveryOut.of(d) for d in found]


@router.get(
    "/held/export",
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
async def export_held(
    http: Request,
    adapter: AdapterDep,
    staff: Admin,
    format: Literal["csv", "json"] = "csv",
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
) -> Response:
    """Export held 電文 in full (個人番号 included) to hand them to CS by hand (admin only)."""
    access = access_context(http)
    access.my_number_accessed = True  # the export unseals 個人番号 (logged even if it fails)
    rows = await held.export_held(adapter.uow, adapter.vault, operator=staff.user_id, limit=limit)
    access.touch(*_people(d for d, _ in rows))
    records = [_export_row(d, body) for d, body in rows]
    if format == "json":
        return JSONResponse(records)
    return Response(_csv(records), media_type="text/csv; charset=utf-8")


@router.post("/held/release", response_model=ReleaseOut)
async def release_held(http: Request, adapter: AdapterDep, staff: Admin) -> ReleaseOut:
    """Send the held 電文 in order (manual mode must be off); a person stops at a failure."""
    report = await held.release_held(adapter.uow, adapter.cs, adapter.vault, operator=staff.user_id)
    access_context(http).touch(*report.persons)
    return ReleaseOut.model_validate(report, from_attributes=True)


@router.post("/held/handed-over", response_model=HandOverOut)
async def handed_over(
    http: Request, body: HandOverIn, adapter: AdapterDep, staff: Admin
) -> HandOverOut:
    """Mark held 電文 as handed to CS by hand (手動連携済み)."""
    done = await held.hand_over(
        adapter.uow, ids=body.ids, operator=staff.user_id, reason=body.reason
    )
    async with adapter.uow() as unit:
        access_context(http).touch(*_people(await unit.deliveries.by_ids(done)))
    return HandOverOut(handed_over=done, not_held=sorted(set(body.ids) - set(done)))


@router.post("/consistency-checks", status_code=201, response_model=ConsistencyOut)
async def run_consistency_check(http: Request, adapter: AdapterDep, staff: Admin) -> ConsistencyOut:
    """整合性確認: compare CS's 本人確認情報 with the registry's latest (names and fields only)."""
    result = await consistency.run_check(
        adapter.uow,
        adapter.cs,
        adapter.vault,
        operator=staff.user_id,
        started_at=ward_now(),
        page=adapter.settings.consistency_page_size,
    )
    checked = ConsistencyOut.model_validate(result)
    access_context(http).touch(*_reported(checked))
    return checked


@router.get("/consistency-checks", response_model=list[ConsistencyOut])
async def list_consistency_checks(
    http: Request, adapter: AdapterDep, _: Reader, limit: Limit = 20
) -> list[ConsistencyOut]:
    """Past 整合性確認 results, newest first."""
    async with adapter.uow() as unit:
        found = await unit.checks.latest(limit)
    checks = [ConsistencyOut.model_validate(row) for row in found]
    access_context(http).touch(*(key for check in checks for key in _reported(check)))
    return checks


@router.get("/notifications", response_model=list[NotificationOut])
async def list_notifications(
    adapter: AdapterDep,
    _: Reader,
    outcome: Literal["published", "ignored", "invalid"] | None = None,
    limit: Limit = 100,
) -> list[NotificationOut]:
    """CSから取り込んだ通知 and the commands they became, newest first."""
    async with adapter.uow() as unit:
        found = await unit.inbound.taken_in(outcome, limit)
    return [NotificationOut.of(taken) for taken in found]


def _people(deliveries: Iterable[Delivery]) -> list[str]:
    """The person keys of deliveries shown (処理対象者 of the access log)."""
    return [d.person_key for d in deliveries]


def _reported(check: ConsistencyOut) -> list[str]:
    """The person keys a 整合性確認 result names."""
    return [*check.missing_at_cs, *(m.person_key for m in check.mismatched)]


_EXPORT_COLUMNS = (
    "id",
    "type",
    "event_id",
    "idempotency_key",
    "person_key",
    "seq",
    "change_reason",
    "created_at",
    "body",
)


def _export_row(d: Any, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": d.id,
        "type": d.type,
        "event_id": str(d.event_id),
        "idempotency_key": str(d.idempotency_key),
        "person_key": d.person_key,
        "seq": d.seq,
        "change_reason": d.change_reason,
        "created_at": d.created_at.isoformat(),
        "body": body,
    }


def _csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({**record, "body": json.dumps(record["body"], ensure_ascii=False)})
    return out.getvalue()
