"""The delivery record's operator routes: 送信一覧, 再送信, 手動連携, held messages.

Reads need the admin or auditor role, actions the admin role. Listings carry ids, field names and
replies; the messages themselves (personal data) leave only through the held export, which exists
to hand them over by hand. Each route notes the people it touched in the access log.

    app.include_router(deliveries_router(ledger=_ledger, types=("fuhyo_notice",)))
    app.exception_handler(OperatorRefusal)(...)   # 404/409/422 problem answers

No `from __future__ import annotations` here: the routes' annotations name the router's own
dependencies (`Ledger`, the adapter's `Type`), which FastAPI must resolve at definition time.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, cast
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from jumin_platform.access_logging import access_context
from jumin_platform.auth import Role, Staff, require_roles
from jumin_platform.deliveries import held, resend
from jumin_platform.deliveries.api_models import (
    NO_NUL,
    DeliveryOut,
    HandOverIn,
    HandOverOut,
    ManualModeIn,
    ManualModeOut,
    ReleaseOut,
    ResendIn,
    ResendItemOut,
)
from jumin_platform.deliveries.ledger import DeliveryFilter
from jumin_platform.deliveries.ports import LedgerUnits, RecordKeeping, Transmitter
from jumin_platform.deliveries.records import Delivery
from jumin_platform.problems import PROBLEM_RESPONSES

__all__ = ["LedgerAccess", "deliveries_router"]

Limit = Annotated[int, Query(ge=1, le=1000, description="最大件数 (at most this many)")]
Admin = Annotated[Staff, Depends(require_roles(Role.ADMIN))]
"""システム管理: switches, resends, releases."""
Reader = Annotated[Staff, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]
"""監査 or システム管理: reads the delivery record."""
Status = Literal["sent", "held", "rejected", "failed", "handed_over"]


@dataclass(frozen=True)
class LedgerAccess:
    """What the routes use of the running adapter."""

    uow: LedgerUnits
    sender: Transmitter
    keeping: RecordKeeping
    resend_max: int


def deliveries_router(
    *,
    ledger: Callable[[Request], LedgerAccess],
    types: Sequence[str],
    tags: Sequence[str] = ("deliveries",),
    export_touches_my_number: bool = False,
) -> APIRouter:
    """Build the routes over an adapter's ledger (`ledger` finds it, or raises NotRunning)."""
    router = APIRouter(prefix="/operator", tags=list(tags), responses=PROBLEM_RESPONSES)
    Ledger = Annotated[LedgerAccess, Depends(ledger)]
    Type = cast(Any, Literal).__getitem__(tuple(types))  # the adapter's types, as an enum

    @router.get("/deliveries", response_model=list[DeliveryOut])
    async def list_deliveries(
        http: Request,
        access: Ledger,
        _: Reader,
        event_id: UUID | None = None,
        person_key: Annotated[str | None, Query(max_length=128, pattern=NO_NUL)] = None,
        type: Type | None = None,  # type: ignore[valid-type]
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
        async with access.uow() as unit:
            found = await unit.deliveries.find(wanted)
        access_context(http).touch(*([person_key] if person_key else []), *_people(found))
        return [DeliveryOut.of(d) for d in found]

    @router.post("/deliveries/resend", response_model=list[ResendItemOut])
    async def resend_deliveries(
        http: Request, body: ResendIn, access: Ledger, staff: Admin
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
            access.uow, access.sender, access.keeping, request, most=access.resend_max
        )
        access_context(http).touch(*(o.person_key for o in outcomes))
        return [ResendItemOut.model_validate(o, from_attributes=True) for o in outcomes]

    @router.get("/manual-mode", response_model=ManualModeOut)
    async def get_manual_mode(access: Ledger, _: Reader) -> ManualModeOut:
        """手動連携の状態 and its history."""
        return await _manual_mode(access)

    @router.put("/manual-mode", response_model=ManualModeOut)
    async def put_manual_mode(body: ManualModeIn, access: Ledger, staff: Admin) -> ManualModeOut:
        """Switch 手動連携 on (messages are held) or off (new ones are sent; release the held)."""
        await held.switch_manual_mode(
            access.uow, manual=body.manual, operator=staff.user_id, reason=body.reason
        )
        return await _manual_mode(access)

    @router.get("/held", response_model=list[DeliveryOut])
    async def list_held(
        http: Request, access: Ledger, _: Reader, limit: Limit = 1000
    ) -> list[DeliveryOut]:
        """保留中の電文 (手動連携), oldest first, without their contents."""
        async with access.uow() as unit:
            found = await unit.deliveries.list_held(limit)
        access_context(http).touch(*_people(found))
        return [DeliveryOut.of(d) for d in found]

    @router.get(
        "/held/export",
        responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
    )
    async def export_held(
        http: Request,
        access: Ledger,
        staff: Admin,
        format: Literal["csv", "json"] = "csv",
        limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
    ) -> Response:
        """Export held messages in full to hand them over by hand (admin only)."""
        context = access_context(http)
        # the export unseals 個人番号 where the adapter sends one (logged even if it fails)
        context.my_number_accessed = export_touches_my_number
        rows = await held.export_held(
            access.uow, access.keeping, operator=staff.user_id, limit=limit
        )
        context.touch(*_people(d for d, _ in rows))
        records = [_export_row(d, body) for d, body in rows]
        if format == "json":
            return JSONResponse(records)
        return Response(_csv(records), media_type="text/csv; charset=utf-8")

    @router.post("/held/release", response_model=ReleaseOut)
    async def release_held(http: Request, access: Ledger, staff: Admin) -> ReleaseOut:
        """Send the held messages in order (manual mode must be off); a person stops at a failure."""
        report = await held.release_held(
            access.uow, access.sender, access.keeping, operator=staff.user_id
        )
        access_context(http).touch(*report.persons)
        return ReleaseOut.model_validate(report, from_attributes=True)

    @router.post("/held/handed-over", response_model=HandOverOut)
    async def handed_over(
        http: Request, body: HandOverIn, access: Ledger, staff: Admin
    ) -> HandOverOut:
        """Mark held messages as handed over by hand (手動連携済み)."""
        done = await held.hand_over(
            access.uow, ids=body.ids, operator=staff.user_id, reason=body.reason
        )
        async with access.uow() as unit:
            access_context(http).touch(*_people(await unit.deliveries.by_ids(done)))
        return HandOverOut(handed_over=done, not_held=sorted(set(body.ids) - set(done)))

    return router


async def _manual_mode(access: LedgerAccess) -> ManualModeOut:
    async with access.uow() as unit:
        mode = await unit.deliveries.manual_state()
        history = await unit.deliveries.manual_history(50)
    return ManualModeOut(**vars(mode), history=history)


def _people(deliveries: Iterable[Delivery]) -> list[str]:
    """The person keys of deliveries shown (処理対象者 of the access log)."""
    return [d.person_key for d in deliveries]


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


def _export_row(d: Delivery, body: dict[str, Any]) -> dict[str, Any]:
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
