"""Endpoints for staff work items (作業): the 戸籍 side's 照合通知 and 本籍転属通知 to check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from jumin_contracts.commands import KosekiItems
from jumin_platform.problems import PROBLEM_RESPONSES
from pydantic import BaseModel, ConfigDict, Field

from registry.adapters.work_item_repository import WorkItemFilter
from registry.domain.work_items import Resolution, WorkItem, WorkItemKind, WorkItemStatus
from registry.entrypoints.api.dependencies import Clerk, MultilineText, RecordReader, RegistryDep
from registry.entrypoints.api.disclosure import guard_people, withhold_protected
from registry.entrypoints.api.schemas import Page
from registry.service_layer import work_items

router = APIRouter(
    prefix="/work-items", tags=["作業 (work items from the 戸籍 side)"], responses=PROBLEM_RESPONSES
)


class CollationOut(BaseModel):
    """戸籍照合通知 (住基法19条2項) の内容: what the ward notified and what the 戸籍 states."""

    honseki: str = Field(description="本籍 (区が通知したもの)")
    hittosha: str | None = Field(description="筆頭者 (区が通知したもの)")
    koseki_items: KosekiItems | None = Field(
        description="戸籍の記載 (氏, 名, 出生の年月日, 男女の別); null: 戸籍に本人が見当たらない"
    )
    receipt_no: str | None = Field(description="受付番号 (照合した附票記載事項通知)")


class TransferOut(BaseModel):
    """本籍転属通知 (住基法19条3項) の内容: the 本籍 before and after."""

    previous_honseki: str = Field(description="従前の本籍")
    previous_hittosha: str | None = Field(description="従前の筆頭者")
    honseki: str = Field(description="新しい本籍")
    hittosha: str | None = Field(description="新しい筆頭者")
    honseki_municipality_code: str = Field(description="新しい本籍地の地方公共団体コード")
    event_date: date = Field(description="転属の年月日")


class ResolutionOut(BaseModel):
    """処理: how, by whom and when the work item was dealt with."""

    how: Resolution = Field(
        description="処理内容: corrected 職権修正を入力 / resent 附票記載事項通知を再送 / "
        "no_action 対応不要"
    )
    change_id: UUID | None = Field(description="入力した職権修正の異動ID (corrected)")
    resolved_by: str = Field(description="処理者")
    resolved_at: datetime = Field(description="処理日時")
    reason: str = Field(description="理由")


class WorkItemOut(BaseModel):
    """One work item: the person, what differs, what the notice states, and its 処理."""

    work_item_id: UUID
    kind: WorkItemKind = Field(
        description="種別: koseki_collation 戸籍照合通知 / honseki_transfer 本籍転属通知"
    )
    kind_name: str = Field(description="種別名")
    status: WorkItemStatus = Field(description="状態: open 未処理 / resolved 処理済")
    atena_no: str = Field(description="宛名番号 (対象者)")
    command_id: UUID = Field(description="通知を運んだコマンドのID (registry.command_inbox)")
    notification_id: UUID = Field(description="戸籍附票システムの通知番号")
    received_at: datetime = Field(description="受信日時")
    differing_items: list[str] = Field(
        description="一致しない項目 (照合通知: koseki, person, name, birth_date, sex; "
        "本籍転属通知: honseki, hittosha — 住民票の記載と異なるもの)"
    )
    collation: CollationOut | None = Field(description="戸籍照合通知の内容")
    transfer: TransferOut | None = Field(description="本籍転属通知の内容")
    resolution: ResolutionOut | None = Field(description="処理 (未処理なら null)")


class ResolveIn(BaseModel):
    """作業の処理: how it was dealt with and why."""

    model_config = ConfigDict(extra="forbid")
    how: Resolution = Field(
        description="処理内容: corrected 職権修正を入力した / resent 附票記載事項通知を再送した / "
        "no_action 対応不要"
    )
    change_id: UUID | None = Field(
        default=None, description="入力した職権修正の異動ID (corrected のときだけ、必ず)"
    )
    reason: MultilineText = Field(min_length=1, max_length=500, description="理由")


def work_item_out(item: WorkItem) -> WorkItemOut:
    """Render a work item; what its notice states goes under its kind."""
    collation = transfer = None
    if item.kind is WorkItemKind.KOSEKI_COLLATION:
        collation = CollationOut.model_validate(item.stated)
    else:
        transfer = TransferOut.model_validate(item.stated)
    return WorkItemOut(
        work_item_id=item.work_item_id,
        kind=item.kind,
        kind_name=item.kind.japanese,
        status=item.status,
        atena_no=item.atena_no,
        command_id=item.command_id,
        notification_id=item.notification_id,
        received_at=item.received_at,
        differing_items=list(item.differing_items),
        collation=collation,
        transfer=transfer,
        resolution=_resolution_out(item),
    )


def _resolution_out(item: WorkItem) -> ResolutionOut | None:
    if item.resolution is None:
        return None
    assert item.resolved_by is not None
    assert item.resolved_at is not None
    return ResolutionOut(
        how=item.resolution,
        change_id=item.correction_change_id,
        resolved_by=item.resolved_by,
        resolved_at=item.resolved_at,
        reason=item.resolution_reason or "",
    )


@router.get("", summary="作業の一覧 (戸籍照合通知・本籍転属通知)")
async def list_work_items(
    http: Request,
    registry: RegistryDep,
    staff: RecordReader,
    status_: Annotated[WorkItemStatus | None, Query(alias="status", description="状態")] = None,
    kind: Annotated[WorkItemKind | None, Query(description="種別")] = None,
    atena_no: Annotated[str | None, Query(pattern=r"^[0-9]{10}$", description="宛名番号")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[WorkItemOut]:
    selection = WorkItemFilter(status=status_, kind=kind, atena_no=atena_no)
    found = await work_items.list_work_items(
        uow=registry.uow(), selection=selection, limit=limit + 1, offset=offset
    )
    shown = await withhold_protected(http, registry, staff, found[:limit])
    return Page[WorkItemOut](
        items=[work_item_out(item) for item in shown],
        limit=limit,
        offset=offset,
        has_more=len(found) > limit,
    )


@router.get("/{work_item_id}", summary="作業の照会")
async def get_work_item(
    http: Request, registry: RegistryDep, staff: RecordReader, work_item_id: UUID
) -> WorkItemOut:
    item = await work_items.get_work_item(uow=registry.uow(), work_item_id=work_item_id)
    await guard_people(http, registry, staff, [item.atena_no])
    return work_item_out(item)


@router.post(
    "/{work_item_id}/resolve",
    summary="作業を処理済みにする (職権修正・再送・対応不要)",
    description="Record how the work item was dealt with, once: `corrected` names the 職権修正 "
    "(a pending or approved correction of the same person) in `change_id`; `resent` and "
    "`no_action` name none. Nothing in the register changes here.",
)
async def resolve_work_item(
    http: Request, registry: RegistryDep, staff: Clerk, work_item_id: UUID, body: ResolveIn
) -> WorkItemOut:
    item = await work_items.get_work_item(uow=registry.uow(), work_item_id=work_item_id)
    await guard_people(http, registry, staff, [item.atena_no])
    resolved = await work_items.resolve_work_item(
        uow=registry.uow(),
        work_item_id=work_item_id,
        how=body.how,
        change_id=body.change_id,
        reason=body.reason,
        staff_id=staff.user_id,
        clock=registry.clock,
    )
    return work_item_out(resolved)
