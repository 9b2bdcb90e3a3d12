"""Build residents, history rows, requests and a register view for planning tests (no database).

The register is an in-memory dict of current rows; ``today`` is fixed so date rules are stable.
宛名番号, 個人番号 and 住民票コード are real numbers with correct check digits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from jumin_contracts.check_digits import (
    juminhyo_code_check_digit,
    make_atena_no,
    my_number_check_digit,
)
from jumin_contracts.codes import HEAD, ChangeKind, ForeignResidentCategory, ResidentType, Sex
from jumin_contracts.dates import PartialDate
from pydantic import TypeAdapter
from registry.adapters.character_variants import unihan_variants
from registry.domain.addresses import AddressBook, WardAddress
from registry.domain.change_requests import ChangeRequest
from registry.domain.errors import RegistryError
from registry.domain.model import HistoryRow, Person
from registry.domain.planning import RegisterView, plan_change
from registry.domain.rules import PlannedRow
from registry.service_layer.numbering import Placeholders

TODAY = date(2026, 11, 27)

HOME = "西新宿二丁目8番1号 新宿ハイツ101"
NEXT_FLAT = "西新宿二丁目8番1号 新宿ハイツ202"  # same 番地, another flat (spec 4.1.2.1)
ACROSS_WARD = "高田馬場一丁目1番1号"
NAKANO = "東京都中野区中野四丁目8番1号"  # outside the ward, inside Japan
HONSEKI = "東京都新宿区西新宿二丁目8番地"


def atena(seq: int) -> str:
    """Return a valid 宛名番号."""
    return make_atena_no(seq)


def household_no(seq: int) -> str:
    """Return a valid 世帯番号 (its own range, so it never equals a 宛名番号)."""
    return make_atena_no(500_000 + seq)


def days_ago(days: int) -> date:
    """Return the date so many days before TODAY (negative: after)."""
    return TODAY - timedelta(days=days)


def on(day: date | str) -> PartialDate:
    """Return an exact or partly unknown 年月日."""
    return PartialDate.exact(day) if isinstance(day, date) else PartialDate.parse(day)


def address_of(place: WardAddress) -> dict[str, Any]:
    """Return the 住所 items a record holds for a ward address."""
    return {
        "address": place.full_text,
        "address_town_code": place.town_code,
        "address_katagaki": place.katagaki,
        "postal_code": place.postal_code,
    }


def _numbers(atena_no: str) -> dict[str, str]:
    """Give each person their own valid 個人番号 and 住民票コード derived from the 宛名番号."""
    my_number = "7" + atena_no
    code = atena_no
    return {
        "my_number": my_number + my_number_check_digit(my_number),
        "juminhyo_code": code + juminhyo_code_check_digit(code),
    }


_JAPANESE: dict[str, Any] = {
    "resident_type": ResidentType.JAPANESE,
    "family_name": "山田",
    "given_name": "太郎",
    "family_name_kana": "ヤマダ",
    "given_name_kana": "タロウ",
    "birth_date": on("1980-04-01"),
    "sex": Sex.MALE,
    "honseki": HONSEKI,
    "hittosha": "山田太郎",
    "became_resident_on": on("2020-04-01"),
    "address_since": on("2020-04-01"),
    "notified_on": date(2020, 4, 3),
}

_FOREIGN: dict[str, Any] = {
    "resident_type": ResidentType.FOREIGN,
    "family_name": "金",
    "given_name": "民俊",
    "family_name_kana": "キム",
    "given_name_kana": "ミンジュン",
    "name_alphabet": "KIM MINJUN",
    "alias": "金田民俊",
    "alias_kana": "カネダミントシ",
    "birth_date": on("1990-07-15"),
    "sex": Sex.MALE,
    "nationality": "韓国",
    "foreign_category": ForeignResidentCategory.MID_LONG_TERM,
    "status_of_residence": "技術・人文知識・国際業務",
    "period_of_stay": "5年",
    "stay_expires_on": date(2029, 3, 31),
    "residence_card_no": "AB12345678CD",
    "became_foreign_resident_on": on("2022-04-01"),
    "address_since": on("2022-04-01"),
    "notified_on": date(2022, 4, 5),
}


def resident(
    atena_no: str,
    *,
    household: str,
    at: WardAddress,
    relationship: str = HEAD,
    foreign: bool = False,
    history_no: int = 1,
    **items: Any,
) -> HistoryRow:
    """Return the current row of a resident; *items* override any item of the record."""
    person = Person(
        **(_FOREIGN if foreign else _JAPANESE)
        | _numbers(atena_no)
        | address_of(at)
        | {"household_no": household, "is_head": relationship == HEAD}
        | {"relationship": relationship}
        | items
    )
    return HistoryRow(
        atena_no=atena_no,
        history_no=history_no,
        change_id=uuid4(),
        change_kind=ChangeKind.DOMESTIC_MOVE_IN,
        occurred_on=person.address_since,
        recorded_at=datetime(2020, 4, 3, 10, 0),
        ex_officio=False,
        person=person,
    )


def family(number: str, at: WardAddress, members: Mapping[str, str]) -> list[HistoryRow]:
    """Return the rows of a household: 宛名番号 → 続柄 (one of them 世帯主)."""
    return [
        resident(atena_no, household=number, at=at, relationship=relationship)
        for atena_no, relationship in members.items()
    ]


def register(
    addresses: AddressBook,
    *rows: HistoryRow,
    today: date = TODAY,
    cancelled_rows: Mapping[str, HistoryRow | None] | None = None,
) -> RegisterView:
    """Return a view of the register holding *rows* as everyone's current row."""
    numbers = Placeholders()
    return RegisterView(
        current={row.atena_no: row for row in rows},
        today=today,
        addresses=addresses,
        allocate_atena_no=numbers.atena_no,
        allocate_household_no=numbers.household_no,
        cancelled_rows=cancelled_rows or {},
        variants=unihan_variants,
    )


_REQUESTS: TypeAdapter[ChangeRequest] = TypeAdapter(ChangeRequest)


def request(kind: ChangeKind | str, **fields: Any) -> ChangeRequest:
    """Validate a change request as the API does (JSON-like fields, discriminated by kind)."""
    return _REQUESTS.validate_python({"kind": kind, **fields})


def plan(view: RegisterView, kind: ChangeKind, **fields: Any) -> list[PlannedRow]:
    """Plan a change against the view and return the rows approval would append."""
    return plan_change(request(kind, **fields), view)


def latest(rows: list[PlannedRow]) -> dict[str, PlannedRow]:
    """Map each person to the last row the change appends for them."""
    return {row.atena_no: row for row in rows}


def approve(view: RegisterView, kind: ChangeKind, planned: list[PlannedRow]) -> list[HistoryRow]:
    """Return everyone's current rows once the planned rows are written (本登録)."""
    current = dict(view.current)
    change_id = uuid4()
    for item in planned:
        previous = current.get(item.atena_no)
        current[item.atena_no] = HistoryRow(
            atena_no=item.atena_no,
            history_no=(previous.history_no if previous else 0) + 1,
            change_id=change_id,
            change_kind=kind,
            occurred_on=PartialDate.exact(TODAY),
            recorded_at=datetime(2026, 11, 27, 15, 0),
            ex_officio=item.ex_officio,
            person=item.person,
        )
    return list(current.values())


def newcomer(relationship: str = HEAD, **fields: Any) -> dict[str, Any]:
    """Return a Japanese person as entered by a 記載 change."""
    return {
        "resident_type": "japanese",
        "family_name": "佐藤",
        "given_name": "健",
        "family_name_kana": "サトウ",
        "given_name_kana": "ケン",
        "birth_date": "1988-05-05",
        "sex": "male",
        "relationship": relationship,
        "honseki": "大阪府大阪市北区梅田一丁目1番地",
        "hittosha": "佐藤健",
    } | fields


def foreign_details(**fields: Any) -> dict[str, Any]:
    """Return the 外国人住民の記載事項 of a 中長期在留者 whose stay has not expired."""
    return {
        "nationality": "ベトナム",
        "name_alphabet": "NGUYEN VAN AN",
        "foreign_category": "mid_long_term",
        "status_of_residence": "留学",
        "period_of_stay": "2年",
        "stay_expires_on": "2028-03-31",
        "residence_card_no": "XY98765432ZW",
    } | fields


def foreign_newcomer(relationship: str = HEAD, **fields: Any) -> dict[str, Any]:
    """Return a foreign resident as entered by a 記載 change."""
    return {
        "resident_type": "foreign",
        "family_name": "グエン",
        "given_name": "ヴァン アン",
        "family_name_kana": "グエン",
        "given_name_kana": "ヴァンアン",
        "birth_date": "1999-09-09",
        "sex": "male",
        "relationship": relationship,
        "foreign": foreign_details(),
    } | fields


@contextmanager
def refused(error: type[RegistryError], because: str) -> Iterator[None]:
    """Expect a refusal of this class whose detail says *because* (a regex) to the clerk."""
    with pytest.raises(error, match=because) as caught:
        yield
    assert " / " in caught.value.detail, "the detail gives Japanese and English"
