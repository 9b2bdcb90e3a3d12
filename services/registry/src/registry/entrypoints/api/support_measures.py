"""Endpoints for 支援措置 (spec 3.4): set, confirm, extend, end, view — 支援措置責任者 only."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Request, status
from jumin_platform.auth import Role, Staff, require_roles
from jumin_platform.problems import PROBLEM_RESPONSES
from pydantic import BaseModel, ConfigDict, Field

from registry.domain.support_measures import SupportMeasure
from registry.entrypoints.api.access_logging import access_context
from registry.entrypoints.api.dependencies import MultilineText, RegistryDep
from registry.service_layer import support_measures as measures

router = APIRouter(
    prefix="/support-measures", tags=["支援措置 (support measures)"], responses=PROBLEM_RESPONSES
)

Officer = Annotated[Staff, Depends(require_roles(Role.SUPPORT_OFFICER))]


class MeasureIn(BaseModel):
    """支援措置の開始: the end defaults to one year after the start (spec 3.4)."""

    model_config = ConfigDict(extra="forbid")
    atena_no: str = Field(pattern=r"^[0-9]{10}$", description="支援対象者の宛名番号")
    starts_on: date = Field(description="開始年月日")
    ends_on: date | None = Field(default=None, description="終了年月日 (省略時は1年)")
    provisional: bool = Field(default=False, description="仮支援措置 (審査前)")


class EndIn(BaseModel):
    """支援措置の終了."""

    model_config = ConfigDict(extra="forbid")
    on: date = Field(description="終了日")
    reason: MultilineText = Field(min_length=1, max_length=500, description="終了理由")


class MeasureOut(BaseModel):
    """One 支援措置 and whether it is in force today."""

    measure_id: UUID
    atena_no: str = Field(description="支援対象者")
    provisional: bool = Field(description="仮支援措置")
    starts_on: date = Field(description="開始年月日")
    ends_on: date = Field(description="終了年月日")
    ended_on: date | None = Field(description="終了した日")
    end_reason: str | None
    active: bool = Field(description="本日有効")
    ends_within_a_month: bool = Field(description="1か月以内に期間が終了する (延長の案内)")


def _out(http: Request, measure: SupportMeasure, today: date) -> MeasureOut:
    access_context(http).touch(measure.atena_no)
    return MeasureOut(
        measure_id=measure.measure_id,
        atena_no=measure.atena_no,
        provisional=measure.provisional,
        starts_on=measure.starts_on,
        ends_on=measure.ends_on,
        ended_on=measure.ended_on,
        end_reason=measure.end_reason,
        active=measure.is_active(today),
        ends_within_a_month=measure.ends_within_a_month(today),
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="支援措置を設定する")
async def set_measure(
    http: Request, registry: RegistryDep, staff: Officer, body: MeasureIn
) -> MeasureOut:
    measure = await measures.set_measure(
        uow=registry.uow(),
        measure_id=uuid4(),
        atena_no=body.atena_no,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        provisional=body.provisional,
        staff_id=staff.user_id,
        clock=registry.clock,
    )
    return _out(http, measure, registry.clock().date())


@router.get("", summary="支援対象者照会 (ある住民の支援措置)")
async def list_measures(
    http: Request,
    registry: RegistryDep,
    staff: Officer,
    atena_no: Annotated[str, Query(pattern=r"^[0-9]{10}$", description="宛名番号")],
) -> list[MeasureOut]:
    found = await measures.measures_of(uow=registry.uow(), atena_no=atena_no)
    today = registry.clock().date()
    access_context(http).touch(atena_no)
    return [_out(http, m, today) for m in found]


@router.post("/{measure_id}/confirm", summary="仮支援措置を支援措置にする")
async def confirm_measure(
    http: Request, registry: RegistryDep, staff: Officer, measure_id: UUID
) -> MeasureOut:
    measure = await measures.confirm_measure(
        uow=registry.uow(), measure_id=measure_id, staff_id=staff.user_id, clock=registry.clock
    )
    return _out(http, measure, registry.clock().date())


@router.post("/{measure_id}/extend", summary="支援措置を1年延長する (終了日の1か月前から)")
async def extend_measure(
    http: Request, registry: RegistryDep, staff: Officer, measure_id: UUID
) -> MeasureOut:
    measure = await measures.extend_measure(
        uow=registry.uow(), measure_id=measure_id, staff_id=staff.user_id, clock=registry.clock
    )
    return _out(http, measure, registry.clock().date())


@router.post("/{measure_id}/end", summary="支援措置を終了する")
async def end_measure(
    http: Request, registry: RegistryDep, staff: Officer, measure_id: UUID, body: EndIn
) -> MeasureOut:
    measure = await measures.end_measure(
        uow=registry.uow(),
        measure_id=measure_id,
        on=body.on,
        reason=body.reason,
        staff_id=staff.user_id,
        clock=registry.clock,
    )
    return _out(http, measure, registry.clock().date())
