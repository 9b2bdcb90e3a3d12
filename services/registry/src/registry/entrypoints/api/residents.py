"""Endpoints reading the register: records, history, households, search, address dictionary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from jumin_contracts.kana import normalize_kana, normalize_name
from jumin_platform.problems import PROBLEM_RESPONSES
from pydantic import BaseModel, Field

from registry.adapters.search_repository import SearchCriteria
from registry.domain.errors import RuleViolation
from registry.domain.model import Household
from registry.entrypoints.api.access_logging import access_context
from registry.entrypoints.api.dependencies import NO_NUL, RecordReader, RegistryDep
from registry.entrypoints.api.disclosure import (
    guard_people,
    open_my_number,
    require_my_number_role,
    withhold_protected,
)
from registry.entrypoints.api.schemas import (
    HouseholdOut,
    Page,
    RecordOut,
    household_out,
    record_out,
)
from registry.service_layer import handlers

router = APIRouter(tags=["住民記録 (register)"], responses=PROBLEM_RESPONSES)

AtenaNoPath = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="宛名番号")]
OnQuery = Annotated[date | None, Query(description="基準日 (異動日 as of)")]
KnownAtQuery = Annotated[datetime | None, Query(description="処理日時 as known at (bitemporal)")]


@router.get("/residents/{atena_no}", summary="住民票の照会 (現在・基準日・処理時点)")
async def get_resident(
    http: Request,
    registry: RegistryDep,
    staff: RecordReader,
    atena_no: AtenaNoPath,
    on: OnQuery = None,
    known_at: KnownAtQuery = None,
    show_my_number: Annotated[
        bool, Query(description="個人番号を表示する (許可された役割のみ、アクセスログに記録)")
    ] = False,
) -> RecordOut:
    if show_my_number:
        require_my_number_role(registry, staff)
    row = await handlers.get_resident(
        uow=registry.uow(), atena_no=atena_no, on=on, known_at=known_at, clock=registry.clock
    )
    await guard_people(http, registry, staff, [row.atena_no])
    shown = record_out(row)
    if show_my_number and row.person.my_number is not None:
        access_context(http).my_number_accessed = True
        shown.record["my_number"] = open_my_number(registry, row.person.my_number, atena_no)
    return shown


@router.get("/residents/{atena_no}/history", summary="異動履歴照会 (spec 2.2.1)")
async def get_history(
    http: Request, registry: RegistryDep, staff: RecordReader, atena_no: AtenaNoPath
) -> list[RecordOut]:
    rows = await handlers.get_history(uow=registry.uow(), atena_no=atena_no)
    await guard_people(http, registry, staff, [atena_no])
    return [record_out(r) for r in rows]


@router.get("/households/{household_no}", summary="世帯構成の照会 (基準日)")
async def get_household(
    http: Request,
    registry: RegistryDep,
    staff: RecordReader,
    household_no: Annotated[str, Path(pattern=r"^[0-9]{10}$", description="世帯番号")],
    on: OnQuery = None,
    known_at: KnownAtQuery = None,
) -> HouseholdOut:
    household = await handlers.get_household(
        uow=registry.uow(),
        household_no=household_no,
        on=on,
        known_at=known_at,
        clock=registry.clock,
    )
    visible = await withhold_protected(http, registry, staff, list(household.members))
    shown = Household(household_no=household.household_no, members=tuple(visible))
    return household_out(shown, on or registry.clock().date())


@router.get("/residents", summary="住民検索 (カナ・氏名・生年月日・住所・住民票コード・個人番号)")
async def search_residents(
    http: Request,
    registry: RegistryDep,
    staff: RecordReader,
    kana: Annotated[
        str | None, Query(max_length=60, pattern=NO_NUL, description="フリガナ (前方一致)")
    ] = None,
    name: Annotated[
        str | None, Query(max_length=60, pattern=NO_NUL, description="氏名の一部")
    ] = None,
    birth_date: Annotated[date | None, Query(description="生年月日")] = None,
    address: Annotated[
        str | None, Query(max_length=100, pattern=NO_NUL, description="住所の一部")
    ] = None,
    juminhyo_code: Annotated[
        str | None, Query(pattern=r"^[0-9]{11}$", description="住民票コード")
    ] = None,
    my_number: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{12}$", description="個人番号 (完全一致、許可された役割のみ)"),
    ] = None,
    include_removed: Annotated[bool, Query(description="除票も含める")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Page[RecordOut]:
    if my_number is not None:
        require_my_number_role(registry, staff)
        access_context(http).my_number_accessed = True
    criteria = SearchCriteria(
        kana=normalize_kana(kana) if kana else None,
        name=normalize_name(name) if name else None,
        birth_date=birth_date,
        address=address.strip() if address else None,
        juminhyo_code=juminhyo_code,
        my_number_hash=registry.vault.lookup_hash(my_number) if my_number else None,
        include_removed=include_removed,
    )
    if not criteria.has_criterion:
        raise RuleViolation("検索条件を一つ以上入力してください / give at least one criterion")
    rows = await handlers.search(uow=registry.uow(), criteria=criteria, limit=limit, offset=offset)
    visible = await withhold_protected(http, registry, staff, rows[:limit])
    return Page[RecordOut](
        items=[record_out(r) for r in visible],
        limit=limit,
        offset=offset,
        has_more=len(rows) > limit,
    )


class TownOut(BaseModel):
    """町丁目 of the ward's 住所辞書."""

    code: str = Field(description="町丁目コード")
    name: str = Field(description="町名")
    kana: str = Field(description="町名カナ")
    postal_code: str = Field(description="郵便番号")
    has_chome: bool = Field(description="丁目あり")


@router.get("/addresses/towns", summary="住所辞書 (町丁目の一覧)")
async def list_towns(
    registry: RegistryDep,
    staff: RecordReader,
    prefix: Annotated[str, Query(max_length=30, description="町名・カナの前方一致")] = "",
) -> list[TownOut]:
    return [
        TownOut(
            code=t.code, name=t.name, kana=t.kana, postal_code=t.postal_code, has_chome=t.has_chome
        )
        for t in registry.addresses.towns(prefix)
    ]
