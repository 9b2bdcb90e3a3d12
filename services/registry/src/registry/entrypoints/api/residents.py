"""Endpoints reading the register: records, history, households, search, address dictionary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from jumin_contracts.commands import MyNumber
from jumin_platform.auth import Staff
from jumin_platform.problems import PROBLEM_RESPONSES
from pydantic import BaseModel, ConfigDict, Field

from registry.adapters.search_repository import SearchCriteria
from registry.bootstrap import Registry
from registry.domain.errors import RuleViolation
from registry.domain.search_keys import kana_search_key, name_search_key
from registry.entrypoints.api.access_logging import access_context
from registry.entrypoints.api.dependencies import PlainText, RecordReader, RegistryDep, SearchText
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
    reading_out,
    record_out,
)
from registry.service_layer import handlers
from registry.service_layer import reading as reading_service
from registry.service_layer.reading import HouseholdReading

router = APIRouter(tags=["住民記録 (register)"], responses=PROBLEM_RESPONSES)

AtenaNoPath = Annotated[str, Path(pattern=r"^[0-9]{10}$", description="宛名番号")]
OnQuery = Annotated[
    date | None, Query(description="基準日 (異動日 as of); 省略時は区の今日 (Asia/Tokyo)")
]
KnownAtQuery = Annotated[
    datetime | None,
    Query(description="処理日時 as known at (bitemporal); 省略時は本登録済みのすべて"),
]


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
    reading = await reading_service.get_resident(
        uow=registry.uow(), atena_no=atena_no, point=registry.read_point(on=on, known_at=known_at)
    )
    row = reading.row
    await guard_people(http, registry, staff, [row.atena_no])
    shown = reading_out(reading)
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
    point = registry.read_point(on=on, known_at=known_at)
    household = await reading_service.get_household(
        uow=registry.uow(), household_no=household_no, point=point
    )
    visible = await withhold_protected(http, registry, staff, list(household.members))
    shown = HouseholdReading(household_no=household.household_no, members=tuple(visible))
    return household_out(shown, point.on)


MY_NUMBER_SEARCH_PATH = "/residents/search/by-my-number"
IncludeRemovedQuery = Annotated[bool, Query(description="除票も含める")]
LimitQuery = Annotated[int, Query(ge=1, le=100, description="件数 (最大100)")]
OffsetQuery = Annotated[int, Query(ge=0, le=10_000, description="開始位置")]


class MyNumberSearch(BaseModel):
    """個人番号による住民検索の条件: sent in the body, never in a URL (番号法, spec 10.2)."""

    model_config = ConfigDict(extra="forbid")

    my_number: MyNumber = Field(description="個人番号 (12桁、検査用数字を含む完全一致)")


def _refuse_my_number_in_query(http: Request) -> None:
    """Refuse a 個人番号 sent in the query string instead of ignoring it (which would widen the
    search to everyone matching the other filters); the URL must never carry one."""
    if "my_number" in http.query_params:
        raise HTTPException(
            400,
            "個人番号をURLに含めないでください。個人番号による検索は "
            f"POST {MY_NUMBER_SEARCH_PATH} (本文の my_number) を使ってください / "
            "a 個人番号 must never travel in a URL: search by it with "
            f"POST {MY_NUMBER_SEARCH_PATH} and the number in the JSON body",
        )


async def _search_page(
    http: Request,
    registry: Registry,
    staff: Staff,
    criteria: SearchCriteria,
    *,
    limit: int,
    offset: int,
) -> Page[RecordOut]:
    """Run a search, withhold people under a 支援措置 and log those shown (アクセスログ)."""
    found = await reading_service.search(
        uow=registry.uow(),
        criteria=criteria,
        point=registry.read_point(),
        limit=limit,
        offset=offset,
    )
    visible = await withhold_protected(http, registry, staff, found[:limit])
    return Page[RecordOut](
        items=[reading_out(r) for r in visible],
        limit=limit,
        offset=offset,
        has_more=len(found) > limit,
    )


@router.get(
    "/residents",
    summary="住民検索 (カナ・氏名・生年月日・住所・住民票コード)",
    description=(
        "条件に合う住民の一覧。個人番号による検索はURLに載せず "
        f"`POST {MY_NUMBER_SEARCH_PATH}` で行う (`my_number` を付けた要求は 400)。"
    ),
)
async def search_residents(
    http: Request,
    registry: RegistryDep,
    staff: RecordReader,
    kana: Annotated[
        SearchText | None,
        Query(
            max_length=60,
            description=(
                "フリガナ (前方一致)。全角・半角・ひらがな、拗音・促音の大小、長音の有無、"
                "ヂ/ジ・ヅ/ズ・ヴ/ブ・ヲ/オ、オ段の後のウ/オ、氏と名の間の空白を区別しない (spec 2.1.2)"
            ),
        ),
    ] = None,
    ignore_voicing: Annotated[
        bool,
        Query(
            description="カナ検索で清音・濁音・半濁音 (と ワ/ハ) の違いを無視する (あいまい検索)"
        ),
    ] = False,
    name: Annotated[
        SearchText | None,
        Query(
            max_length=60,
            description="氏名の一部。異体字セレクタ (IVS) を無視し、異体字は MJ縮退マップで寄せて探す",
        ),
    ] = None,
    birth_date: Annotated[date | None, Query(description="生年月日")] = None,
    address: Annotated[SearchText | None, Query(max_length=100, description="住所の一部")] = None,
    juminhyo_code: Annotated[
        str | None, Query(pattern=r"^[0-9]{11}$", description="住民票コード")
    ] = None,
    include_removed: IncludeRemovedQuery = False,
    limit: LimitQuery = 20,
    offset: OffsetQuery = 0,
) -> Page[RecordOut]:
    _refuse_my_number_in_query(http)
    criteria = SearchCriteria(
        kana=kana_search_key(kana, ignore_voicing=ignore_voicing) if kana else None,
        ignore_voicing=ignore_voicing,
        name=name_search_key(name) if name else None,
        birth_date=birth_date,
        address=address.strip() if address else None,
        juminhyo_code=juminhyo_code,
        include_removed=include_removed,
    )
    if not criteria.has_criterion:
        raise RuleViolation("検索条件を一つ以上入力してください / give at least one criterion")
    return await _search_page(http, registry, staff, criteria, limit=limit, offset=offset)


@router.post(
    MY_NUMBER_SEARCH_PATH,
    summary="個人番号による住民検索 (許可された役割のみ、アクセスログに記録)",
    description=(
        "個人番号 (完全一致) で住民を探す。個人番号がプロキシ・サーバーのログやブラウザの"
        "履歴に残らないよう、URLではなく POST の本文で受け取る。"
        "`JUMIN_REGISTRY_MY_NUMBER_ROLES` の役割が必要。応答とページングは `GET /residents` と同じ。"
    ),
)
async def search_residents_by_my_number(
    http: Request,
    registry: RegistryDep,
    staff: RecordReader,
    search: MyNumberSearch,
    include_removed: IncludeRemovedQuery = False,
    limit: LimitQuery = 20,
    offset: OffsetQuery = 0,
) -> Page[RecordOut]:
    _refuse_my_number_in_query(http)
    require_my_number_role(registry, staff)
    access_context(http).my_number_accessed = True
    criteria = SearchCriteria(
        my_number_hash=registry.vault.lookup_hash(search.my_number),
        include_removed=include_removed,
    )
    return await _search_page(http, registry, staff, criteria, limit=limit, offset=offset)


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
    prefix: Annotated[PlainText, Query(max_length=30, description="町名・カナの前方一致")] = "",
) -> list[TownOut]:
    return [
        TownOut(
            code=t.code, name=t.name, kana=t.kana, postal_code=t.postal_code, has_chome=t.has_chome
        )
        for t in registry.addresses.towns(prefix)
    ]
