"""Endpoints for changes (異動): enter (仮登録), view, approve (本登録)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Body, Query, status
from jumin_platform.problems import PROBLEM_RESPONSES

from registry.domain.changes import ChangeStatus
from registry.domain.commands import ChangeRequest
from registry.entrypoints.api.dependencies import (
    NO_NUL,
    ChangeReader,
    Clerk,
    RegistryDep,
    Reviewer,
    Terminal,
)
from registry.entrypoints.api.schemas import ChangeOut, Page, change_out
from registry.service_layer import handlers

router = APIRouter(prefix="/changes", tags=["異動 (changes)"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="異動を入力する (仮登録)",
    description="Enter a change; it is checked against the register now and stays pending "
    "(仮登録) — invisible to every other read — until a different reviewer approves it.",
)
async def submit_change(
    registry: RegistryDep,
    staff: Clerk,
    request: Annotated[ChangeRequest, Body(description="届出・職権の内容 (kind で種類を選ぶ)")],
    terminal: Terminal = None,
) -> ChangeOut:
    change = await handlers.submit_change(
        uow=registry.uow(),
        request=request,
        staff_id=staff.user_id,
        terminal=terminal,
        change_id=uuid4(),
        addresses=registry.addresses,
        clock=registry.clock,
    )
    return change_out(change)


@router.get("", summary="異動の一覧 (仮登録一覧など)")
async def list_changes(
    registry: RegistryDep,
    staff: ChangeReader,
    status_: Annotated[ChangeStatus | None, Query(alias="status", description="状態")] = None,
    created_by: Annotated[
        str | None, Query(max_length=64, pattern=NO_NUL, description="入力者")
    ] = None,
    atena_no: Annotated[str | None, Query(pattern=r"^[0-9]{10}$", description="宛名番号")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[ChangeOut]:
    changes = await handlers.list_changes(
        uow=registry.uow(),
        status=status_,
        created_by=created_by,
        atena_no=atena_no,
        limit=limit + 1,
        offset=offset,
    )
    return Page[ChangeOut](
        items=[change_out(c) for c in changes[:limit]],
        limit=limit,
        offset=offset,
        has_more=len(changes) > limit,
    )


@router.get("/{change_id}", summary="異動の照会")
async def get_change(registry: RegistryDep, staff: ChangeReader, change_id: UUID) -> ChangeOut:
    return change_out(await handlers.get_change(uow=registry.uow(), change_id=change_id))


@router.post(
    "/{change_id}/approve",
    summary="異動を決裁する (本登録)",
    description="Approve a pending change. The reviewer must not be the member of staff who "
    "entered it (the database refuses it too). History rows are written in one transaction.",
)
async def approve_change(registry: RegistryDep, staff: Reviewer, change_id: UUID) -> ChangeOut:
    change = await handlers.approve_change(
        uow=registry.uow(),
        change_id=change_id,
        reviewer_id=staff.user_id,
        addresses=registry.addresses,
        clock=registry.clock,
    )
    return change_out(change)
