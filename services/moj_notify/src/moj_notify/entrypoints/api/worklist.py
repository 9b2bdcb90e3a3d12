"""Operator routes: the 処理結果 taken in and the worklist of error results.

- `GET /operator/results` (admin, auditor): results, filter unmatched (not a notice of ours) /
  ok / error / one delivery record (an ok result confirms that notice).
- `GET /operator/worklist` (admin, auditor): error results, filter open (open + resent) or
  closed (resolved + handled) or one status; `GET /operator/worklist/{id}` (admin): one entry
  with the notice's items, flagged and corrected.
- `POST /operator/worklist/{id}/resend` (admin): correct items and send again under a new key;
  the entry stays open (resent, still blocking) until the ministry's result of the resend.
- `POST /operator/worklist/{id}/handled` (admin): close it with a reason; unblocks the person.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from jumin_platform.access_logging import access_context
from jumin_platform.deliveries import NothingFound, OperatorRefusal, PlainKeeping
from jumin_platform.problems import PROBLEM_RESPONSES

from moj_notify.domain.results import EntryStatus, WorklistRefusal, check_wire_items
from moj_notify.entrypoints.api.dependencies import Admin, Reader, ServiceDep
from moj_notify.entrypoints.api.worklist_models import (
    CorrectIn,
    HandleIn,
    ItemOut,
    ResendOut,
    ResultOut,
    WorklistEntryOut,
    WorklistEntryView,
)
from moj_notify.service_layer import results

router = APIRouter(prefix="/operator", tags=["moj results"], responses=PROBLEM_RESPONSES)

Limit = Annotated[int, Query(ge=1, le=1000, description="最大件数 (at most this many)")]
EntryId = Annotated[int, Path(ge=1, le=2**63 - 1, description="worklist entry id")]

SHOWN: dict[str, list[str] | None] = {
    "open": [EntryStatus.OPEN.value, EntryStatus.RESENT.value],
    "closed": [EntryStatus.RESOLVED.value, EntryStatus.HANDLED.value],
    "all": None,
} | {status.value: [status.value] for status in EntryStatus}


class Refused(OperatorRefusal):
    status = 422
    title = "Unprocessable Content"


def _not_found(entry_id: int) -> NothingFound:
    return NothingFound(f"該当する処理結果がありません: {entry_id} (No such worklist entry.)")


@router.get("/results", response_model=list[ResultOut])
async def list_results(
    service: ServiceDep,
    _: Reader,
    unmatched: Annotated[bool | None, Query(description="true: not a notice of ours")] = None,
    result: Literal["ok", "error"] | None = None,
    delivery_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Limit = 100,
) -> list[ResultOut]:
    """取り込んだ処理結果, newest first (codes and item names; no contents)."""
    async with service.uow() as unit:
        found = await unit.results.results(
            unmatched=unmatched, result=result, delivery_id=delivery_id, limit=limit
        )
    return [ResultOut(**vars(row)) for row in found]


@router.get("/worklist", response_model=list[WorklistEntryOut])
async def list_worklist(
    http: Request,
    service: ServiceDep,
    _: Reader,
    status: Literal["open", "closed", "all", "resent", "resolved", "handled"] = "open",
    limit: Limit = 100,
) -> list[WorklistEntryOut]:
    """処理結果エラーの一覧 (open: still blocking the person), newest first."""
    async with service.uow() as unit:
        rows = await unit.results.entries(SHOWN[status], limit)
    entries = [WorklistEntryOut.of(row) for row in rows]
    access_context(http).touch(*(entry.person_key for entry in entries))
    return entries


@router.get("/worklist/{entry_id}", response_model=WorklistEntryView)
async def view_worklist_entry(
    http: Request, service: ServiceDep, _: Admin, entry_id: EntryId
) -> WorklistEntryView:
    """One error result with the notice's items as last sent: flagged and corrected."""
    async with service.uow() as unit:
        row = await unit.results.entry(entry_id)
        if row is None:
            raise _not_found(entry_id)
        shown_id = row["resend_delivery_id"] or row["delivery_id"]
        [shown] = await unit.deliveries.by_ids([shown_id])
        base = shown
        if shown.resend_of is not None:
            [base] = await unit.deliveries.by_ids([shown.resend_of])
    access_context(http).touch(row["person_key"])
    flagged = set(row["error_items"])
    items = [
        ItemOut(
            name=name,
            value=value,
            flagged=name in flagged,
            corrected=base.body.get(name) != value,
        )
        for name, value in shown.body.items()
    ]
    return WorklistEntryView(**WorklistEntryOut.of(row).model_dump(), items=items)


@router.post("/worklist/{entry_id}/resend", response_model=ResendOut)
async def correct_and_resend(
    http: Request, service: ServiceDep, staff: Admin, entry_id: EntryId, body: CorrectIn
) -> ResendOut:
    """訂正して再送信: a new transmission under a new key; the entry awaits its result."""
    try:
        done = await results.correct_and_resend(
            service.uow,
            service.moj,
            PlainKeeping(),
            check_wire_items,
            entry_id=entry_id,
            corrections=body.corrections,
            operator=staff.user_id,
            reason=body.reason,
        )
    except results.EntryNotFound as exc:
        raise _not_found(entry_id) from exc
    except WorklistRefusal as exc:
        raise OperatorRefusal(str(exc)) from exc
    except results.CorrectionRefused as exc:
        raise Refused(f"訂正内容が通知に合いません: {exc} (The corrections do not fit.)") from exc
    access_context(http).touch(done.entry.person_key)
    service.dispatcher.wake()
    async with service.uow() as unit:
        row = await unit.results.entry(entry_id)
    assert row is not None
    return ResendOut(
        entry=WorklistEntryOut.of(row),
        delivery_id=done.delivery_id,
        outcome=done.outcome,
        receipt_no=done.receipt_no,
        reply=done.reply,
        uncorrected_items=done.uncorrected_items,
    )


@router.post("/worklist/{entry_id}/handled", response_model=WorklistEntryOut)
async def mark_handled(
    http: Request, service: ServiceDep, staff: Admin, entry_id: EntryId, body: HandleIn
) -> WorklistEntryOut:
    """対応済みにする (with the reason): the person's later notices go on."""
    try:
        handled = await results.mark_handled(
            service.uow, entry_id=entry_id, operator=staff.user_id, reason=body.reason
        )
    except results.EntryNotFound as exc:
        raise _not_found(entry_id) from exc
    except WorklistRefusal as exc:
        raise OperatorRefusal(str(exc)) from exc
    access_context(http).touch(handled.person_key)
    service.dispatcher.wake()
    async with service.uow() as unit:
        row: dict[str, Any] | None = await unit.results.entry(entry_id)
    assert row is not None
    return WorklistEntryOut.of(row)
