"""Endpoints for changes (異動): enter (仮登録), correct, withdraw, view, approve, reject (spec 4.0.8)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Body, Query, Request, status
from jumin_platform.problems import PROBLEM_RESPONSES
from jumin_platform.terminal import Terminal
from pydantic import BaseModel, ConfigDict, Field

from registry.adapters.change_repository import ChangeFilter
from registry.domain.change_requests import ChangeRequest
from registry.domain.changes import Change, ChangeStatus
from registry.domain.errors import RuleViolation
from registry.entrypoints.api.access_logging import access_context
from registry.entrypoints.api.dependencies import (
    ChangeReader,
    Clerk,
    MultilineText,
    PlainText,
    RegistryDep,
    Reviewer,
)
from registry.entrypoints.api.disclosure import guard_people, withhold_protected_changes
from registry.entrypoints.api.errors import status_of
from registry.entrypoints.api.schemas import ChangeOut, Page, change_out
from registry.service_layer import handlers, pending, reading

router = APIRouter(prefix="/changes", tags=["異動 (changes)"], responses=PROBLEM_RESPONSES)

RequestBody = Annotated[ChangeRequest, Body(description="届出・職権の内容 (kind で種類を選ぶ)")]
Reason = Annotated[MultilineText, Field(min_length=1, max_length=500)]


class ReasonIn(BaseModel):
    """理由 (却下・取下げ)."""

    model_config = ConfigDict(extra="forbid")
    reason: Reason = Field(description="理由")


class BatchApprovalIn(BaseModel):
    """一括決裁: the listed changes, or every pending one matching the filters (`all`)."""

    model_config = ConfigDict(extra="forbid")
    change_ids: list[UUID] = Field(default_factory=list, max_length=1000, description="異動ID")
    all: bool = Field(default=False, description="条件に合う仮登録をすべて決裁する")
    terminal: PlainText | None = Field(default=None, max_length=64, description="入力端末")
    created_by: PlainText | None = Field(default=None, max_length=64, description="入力者")


class BatchItemOut(BaseModel):
    """One change of a 一括決裁 and what became of it."""

    change_id: UUID
    approved: bool
    status: int = Field(description="HTTP status the single approval would have had")
    detail: str | None = Field(description="理由 when not approved")


def _touch(request: Request, *changes: Change) -> Change:
    for change in changes:
        access_context(request).touch(*change.subjects)
    return changes[0]


def _note_my_numbers(http: Request, request: ChangeRequest) -> None:
    """Log entering a 個人番号 as 個人番号へのアクセス (spec 10.2)."""
    people = [request, *getattr(request, "persons", ())]  # 個人番号の職権記載 holds it itself
    if any(getattr(p, "my_number", None) for p in people):
        access_context(http).my_number_accessed = True


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="異動を入力する (仮登録)",
    description="Enter a change; it is checked against the register now and stays pending "
    "(仮登録) — invisible to every other read — until a different reviewer approves it.",
)
async def submit_change(
    http: Request,
    registry: RegistryDep,
    staff: Clerk,
    request: RequestBody,
    terminal: Terminal,
) -> ChangeOut:
    _note_my_numbers(http, request)
    change = await handlers.submit_change(
        uow=registry.uow(),
        request=request,
        staff_id=staff.user_id,
        terminal=terminal,
        change_id=uuid4(),
        addresses=registry.addresses,
        clock=registry.clock,
    )
    return change_out(_touch(http, change))


@router.get("", summary="異動の一覧 (仮登録一覧: 全件・端末別・入力者別・住民別)")
async def list_changes(
    http: Request,
    registry: RegistryDep,
    staff: ChangeReader,
    status_: Annotated[ChangeStatus | None, Query(alias="status", description="状態")] = None,
    created_by: Annotated[PlainText | None, Query(max_length=64, description="入力者")] = None,
    terminal: Annotated[PlainText | None, Query(max_length=64, description="入力端末")] = None,
    atena_no: Annotated[str | None, Query(pattern=r"^[0-9]{10}$", description="宛名番号")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[ChangeOut]:
    selection = ChangeFilter(
        status=status_, created_by=created_by, atena_no=atena_no, terminal=terminal
    )
    changes = await pending.list_changes(
        uow=registry.uow(), selection=selection, limit=limit + 1, offset=offset
    )
    shown = await withhold_protected_changes(http, registry, staff, changes[:limit])
    for change in shown:
        _touch(http, change)
    people = await reading.people_now(
        uow=registry.uow(), atena_nos=reading.subjects_of(shown), point=registry.read_point()
    )
    return Page[ChangeOut](
        items=[change_out(c, people) for c in shown],
        limit=limit,
        offset=offset,
        has_more=len(changes) > limit,
    )


@router.get("/{change_id}", summary="異動の照会")
async def get_change(
    http: Request, registry: RegistryDep, staff: ChangeReader, change_id: UUID
) -> ChangeOut:
    change = await handlers.get_change(uow=registry.uow(), change_id=change_id)
    await guard_people(http, registry, staff, list(change.subjects))
    people = await reading.people_now(
        uow=registry.uow(), atena_nos=change.subjects, point=registry.read_point()
    )
    return change_out(_touch(http, change), people)


@router.put(
    "/{change_id}",
    summary="仮登録を修正する",
    description="Replace a pending change's content. Only the clerk who entered it may correct it; "
    "the correction is checked like a new entry.",
)
async def revise_change(
    http: Request, registry: RegistryDep, staff: Clerk, change_id: UUID, request: RequestBody
) -> ChangeOut:
    _note_my_numbers(http, request)
    change = await pending.revise_change(
        uow=registry.uow(),
        change_id=change_id,
        request=request,
        staff_id=staff.user_id,
        addresses=registry.addresses,
        clock=registry.clock,
    )
    return change_out(_touch(http, change))


@router.post("/{change_id}/withdraw", summary="仮登録を取り下げる (入力者のみ)")
async def withdraw_change(
    http: Request, registry: RegistryDep, staff: Clerk, change_id: UUID, body: ReasonIn
) -> ChangeOut:
    change = await pending.withdraw_change(
        uow=registry.uow(),
        change_id=change_id,
        staff_id=staff.user_id,
        reason=body.reason,
        clock=registry.clock,
    )
    return change_out(_touch(http, change))


@router.post(
    "/{change_id}/approve",
    summary="異動を決裁する (本登録)",
    description="Approve a pending change. The reviewer must not be the member of staff who "
    "entered it (the database refuses it too). History rows are written in one transaction.",
)
async def approve_change(
    http: Request, registry: RegistryDep, staff: Reviewer, change_id: UUID
) -> ChangeOut:
    change = await handlers.approve_change(
        uow=registry.uow(),
        change_id=change_id,
        reviewer_id=staff.user_id,
        addresses=registry.addresses,
        clock=registry.clock,
    )
    return change_out(_touch(http, change))


@router.post("/{change_id}/reject", summary="異動を却下する (理由を付す)")
async def reject_change(
    http: Request, registry: RegistryDep, staff: Reviewer, change_id: UUID, body: ReasonIn
) -> ChangeOut:
    change = await pending.reject_change(
        uow=registry.uow(),
        change_id=change_id,
        reviewer_id=staff.user_id,
        reason=body.reason,
        clock=registry.clock,
    )
    return change_out(_touch(http, change))


@router.post(
    "/approve",
    summary="一括決裁",
    description="Approve several pending changes, oldest first, each in its own transaction. "
    "Give `change_ids`, or `all: true` with optional filters; more than the configured limit "
    "is refused whole. Changes that cannot be approved are listed with the reason.",
)
async def approve_many(
    http: Request, registry: RegistryDep, staff: Reviewer, body: BatchApprovalIn
) -> list[BatchItemOut]:
    limit = registry.settings.approval_batch_limit
    ids = await _batch_ids(registry, body, limit)
    outcomes = await pending.approve_many(
        uows=[registry.uow() for _ in ids],
        change_ids=ids,
        reviewer_id=staff.user_id,
        addresses=registry.addresses,
        clock=registry.clock,
    )
    for outcome in outcomes:
        if outcome.change is not None:
            _touch(http, outcome.change)
    return [_batch_item(o) for o in outcomes]


async def _batch_ids(registry: RegistryDep, body: BatchApprovalIn, limit: int) -> list[UUID]:
    if body.all == bool(body.change_ids):
        raise RuleViolation(
            "change_ids か all のどちらか一方を指定してください / give either change_ids or all"
        )
    if body.change_ids:
        if len(body.change_ids) > limit or len(set(body.change_ids)) != len(body.change_ids):
            raise RuleViolation(
                f"一括決裁は重複なく{limit}件までです / at most {limit} distinct changes at once"
            )
        return await pending.oldest_first(uow=registry.uow(), change_ids=body.change_ids)
    selection = ChangeFilter(terminal=body.terminal, created_by=body.created_by)
    return await pending.pending_ids(uow=registry.uow(), selection=selection, limit=limit)


def _batch_item(outcome: pending.BatchOutcome) -> BatchItemOut:
    if outcome.error is None:
        return BatchItemOut(change_id=outcome.change_id, approved=True, status=200, detail=None)
    return BatchItemOut(
        change_id=outcome.change_id,
        approved=False,
        status=status_of(outcome.error),
        detail=outcome.error.detail,
    )
