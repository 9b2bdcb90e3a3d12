"""Response bodies of the registry API, with the Japanese terms in their descriptions."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from jumin_contracts.codes import ChangeKind, ResidentType
from jumin_contracts.dates import PartialDate
from pydantic import BaseModel, Field, TypeAdapter

from registry.domain.change_requests import ChangeRequest
from registry.domain.changes import Change, ChangeOrigin, ChangeStatus
from registry.domain.model import HistoryRow, RecordStatus
from registry.domain.register_time import PlannedDeparture
from registry.service_layer.reading import HouseholdReading, Reading

_REQUEST = TypeAdapter[ChangeRequest](ChangeRequest)


class DateOut(BaseModel):
    """A date as stored (不詳日を含む) and as printed (和暦, or 西暦 for foreign residents)."""

    value: str = Field(description="保存形式 (sortable, lossless)")
    display: str = Field(description="表示 (和暦 / 西暦)")
    sort_date: date = Field(description="並べ替え用の内部日付 (spec 1.1.8)")


def date_out(value: PartialDate | None, *, seireki: bool = False) -> DateOut | None:
    """Render a partial date for an answer."""
    if value is None:
        return None
    display = value.format_seireki() if seireki else value.format_wareki()
    return DateOut(value=value.to_storage(), display=display, sort_date=value.sort_key())


_DATE_FIELDS = (
    "birth_date",
    "became_resident_on",
    "became_foreign_resident_on",
    "address_since",
    "removed_on",
)


def _required(value: DateOut | None) -> DateOut:
    assert value is not None
    return value


class DepartureOut(BaseModel):
    """転出予定: an approved 転出 that takes effect after the 基準日 (the person is still resident)."""

    kind: ChangeKind = Field(description="異動事由 (国内転出 / 国外転出)")
    kind_name: str = Field(description="異動事由名")
    planned_on: date = Field(description="転出予定日: 住民として扱うのはこの日の前日まで")
    destination: str | None = Field(description="転出先 (予定)")


def departure_out(departure: PlannedDeparture | None) -> DepartureOut | None:
    """Render a 転出予定 mark."""
    if departure is None:
        return None
    return DepartureOut(
        kind=departure.kind,
        kind_name=departure.kind.japanese,
        planned_on=departure.planned_on,
        destination=departure.destination,
    )


class RecordOut(BaseModel):
    """住民票の記載事項 of one history row (異動履歴の一行)."""

    atena_no: str = Field(description="宛名番号")
    history_no: int = Field(description="履歴番号")
    change_id: UUID = Field(description="異動ID")
    change_kind: ChangeKind = Field(description="異動事由")
    change_kind_name: str = Field(description="異動事由名")
    occurred_on: DateOut = Field(description="異動日")
    recorded_at: datetime = Field(description="処理日時 (本登録)")
    ex_officio: bool = Field(description="職権")
    recorded_as: str = Field(
        description="記載事由・消除事由の区分: 届出 / 職権記載 / 職権消除 / 職権修正 等 (spec 1.2.2)"
    )
    koseki_basis: dict[str, Any] | None = Field(
        default=None,
        description="出生・死亡: 基となった戸籍届出 (届出の種類, 届出日, 受理日, 受理地, 送付元, 通知日)",
    )
    record: dict[str, Any] = Field(description="記載事項 (氏名, 生年月日, 住所, 世帯主・続柄 …)")
    departure: DepartureOut | None = Field(
        default=None, description="転出予定 (転出予定者のみ: 予定日の前日までは住民)"
    )


def reading_out(reading: Reading) -> RecordOut:
    """Render a person as a read found them: the row in force and any 転出予定."""
    shown = record_out(reading.row)
    shown.departure = departure_out(reading.departure)
    return shown


def record_out(row: HistoryRow) -> RecordOut:
    """Render a history row; 外国人住民の生年月日 prints in 西暦 (docs/domain.md)."""
    person = row.person
    foreign = person.resident_type is ResidentType.FOREIGN
    items: dict[str, Any] = {
        f.name: getattr(person, f.name)
        for f in dataclasses.fields(person)
        if f.name not in _DATE_FIELDS
    }
    items["qualifications"] = dataclasses.asdict(person.qualifications)
    # 個人番号 is never shown by default: only whether one is recorded (see show_my_number).
    items["my_number"] = None
    items["my_number_recorded"] = person.my_number is not None
    del items["my_number_hash"]
    for name in _DATE_FIELDS:
        items[name] = date_out(getattr(person, name), seireki=foreign and name == "birth_date")
    return RecordOut(
        atena_no=row.atena_no,
        history_no=row.history_no,
        change_id=row.change_id,
        change_kind=row.change_kind,
        change_kind_name=row.change_kind.japanese,
        occurred_on=_required(date_out(row.occurred_on)),
        recorded_at=row.recorded_at,
        ex_officio=row.ex_officio,
        recorded_as=recorded_as(row),
        koseki_basis=None if row.koseki_basis is None else dataclasses.asdict(row.koseki_basis),
        record=items,
    )


_EX_OFFICIO = {"entry": "職権記載", "removal": "職権消除", "amendment": "職権修正"}


def recorded_as(row: HistoryRow) -> str:
    """Say how a row was recorded: on a 届出, or 職権 (記載・消除・修正), or by a 取消し."""
    category = row.change_kind.category.value
    if category == "cancellation":
        return "異動の取消し"
    return _EX_OFFICIO[category] if row.ex_officio else "届出"


class HouseholdOut(BaseModel):
    """世帯構成: the members of a household on a date, head first."""

    household_no: str = Field(description="世帯番号")
    on: date = Field(description="基準日 (異動日)")
    members: list[RecordOut] = Field(description="世帯員")


def household_out(household: HouseholdReading, on: date) -> HouseholdOut:
    """Render a household."""
    return HouseholdOut(
        household_no=household.household_no,
        on=on,
        members=[reading_out(m) for m in household.members],
    )


class SubjectOut(BaseModel):
    """異動者 as the register shows them today (住民・除票, 転出予定)."""

    atena_no: str = Field(description="宛名番号")
    status: RecordStatus = Field(description="今日の状態: resident = 住民, removed = 除票")
    departure: DepartureOut | None = Field(description="転出予定 (転出予定者のみ)")


def subjects_out(change: Change, people: Mapping[str, Reading]) -> list[SubjectOut]:
    """Render the people a change names who are on the register (new people have no row yet)."""
    return [
        SubjectOut(
            atena_no=a,
            status=people[a].row.person.status,
            departure=departure_out(people[a].departure),
        )
        for a in change.subjects
        if a in people
    ]


class ChangeOut(BaseModel):
    """異動: the request as entered, its state (仮登録 / 本登録) and who entered and decided it."""

    change_id: UUID = Field(description="異動ID")
    kind: ChangeKind = Field(description="異動事由")
    kind_name: str = Field(description="異動事由名")
    status: ChangeStatus = Field(description="pending = 仮登録, approved = 本登録")
    created_by: str = Field(description="入力者")
    origin: ChangeOrigin = Field(
        description="起因: staff (窓口・職員) / cs / koseki / moj (長官通知: 市町村通知を返さない)"
    )
    created_at: datetime = Field(description="入力日時")
    terminal: str | None = Field(description="入力端末")
    decided_by: str | None = Field(description="決裁者")
    decided_at: datetime | None = Field(description="決裁日時")
    revision: int = Field(description="仮登録の修正回数 + 1")
    decision_reason: str | None = Field(description="却下・取下げの理由")
    withdrawn_by: str | None = Field(description="取下げた職員 (入力者)")
    withdrawn_at: datetime | None = Field(description="取下げ日時")
    subjects: list[str] = Field(description="異動者の宛名番号")
    subjects_now: list[SubjectOut] | None = Field(
        default=None, description="異動者の今日の状態 (一覧・照会のみ; 転出予定者に印)"
    )
    request: dict[str, Any] = Field(description="届出・職権の内容")


def change_out(change: Change, people: Mapping[str, Reading] | None = None) -> ChangeOut:
    """Render a change (with its people as they stand today, when read for a list or a view)."""
    return ChangeOut(
        change_id=change.change_id,
        kind=change.request.kind,
        kind_name=change.request.kind.japanese,
        status=change.status,
        created_by=change.created_by,
        origin=change.origin,
        created_at=change.created_at,
        terminal=change.terminal,
        decided_by=change.decided_by,
        decided_at=change.decided_at,
        revision=change.revision,
        decision_reason=change.decision_reason,
        withdrawn_by=change.withdrawn_by,
        withdrawn_at=change.withdrawn_at,
        subjects=list(change.subjects),
        subjects_now=None if people is None else subjects_out(change, people),
        request=_redacted(_REQUEST.dump_python(change.request, mode="json")),
    )


def _redacted(request: dict[str, Any]) -> dict[str, Any]:
    """Hide every 個人番号 in an entered request (it is shown only through its own endpoint)."""
    for person in [request, *request.get("persons", [])]:  # top level: 個人番号の職権記載
        if person.get("my_number"):
            person["my_number"] = "************"
    return request


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of results (ページング)."""

    items: list[T]
    limit: int
    offset: int
    has_more: bool = Field(description="次のページがある")
