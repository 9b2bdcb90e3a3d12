"""異動日・届出日 for every kind (spec 4.0.3, 4.1.0.2, 4.1.3.0.1): past or today, and who files.

Each kind has one request that is valid on the register below, so a refusal here is caused by
the dates alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest
from jumin_contracts.codes import HEAD, ChangeKind
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.errors import RuleViolation
from registry.domain.model import RecordStatus
from registry.domain.planning import RegisterView

from .builders import (
    ACROSS_WARD,
    HOME,
    NAKANO,
    NEXT_FLAT,
    atena,
    days_ago,
    family,
    foreign_details,
    foreign_newcomer,
    household_no,
    newcomer,
    plan,
    refused,
    register,
    resident,
)

TARO, HANAKO, ICHIRO, KEN, YUMI, MINJUN = (atena(n) for n in (1, 2, 3, 11, 12, 21))
GONE = atena(31)  # moved out of the ward: a 除票 awaiting its 転入通知
YAMADA, SUZUKI, KIM, LEFT = household_no(1), household_no(2), household_no(3), household_no(4)
OKUBO = "大久保三丁目14番4号"

FILED = {
    ChangeKind.DOMESTIC_MOVE_IN,
    ChangeKind.MOVE_IN_FROM_ABROAD,
    ChangeKind.BIRTH,
    ChangeKind.FOREIGN_MOVE_IN_30_46,
    ChangeKind.DOMESTIC_MOVE_OUT,
    ChangeKind.MOVE_OUT_ABROAD,
    ChangeKind.MOVE_WITHIN_WARD,
    ChangeKind.HOUSEHOLD_SEPARATION,
    ChangeKind.HOUSEHOLD_MERGER,
    ChangeKind.HOUSEHOLD_TRANSFER,
    ChangeKind.HEAD_CHANGE,
    ChangeKind.RESIDENCE_STATUS_30_47,
    ChangeKind.MY_NUMBER_CHANGE_REQUEST,
    ChangeKind.JUMINHYO_CODE_CHANGE,
}
"""Kinds that come from a 届出 (or 本人の請求) and need its date."""

EX_OFFICIO = {
    ChangeKind.EX_OFFICIO_ENTRY,
    ChangeKind.EX_OFFICIO_REMOVAL,
    ChangeKind.EX_OFFICIO_AMENDMENT,
    ChangeKind.CLERICAL_CORRECTION,
    ChangeKind.MINOR_CORRECTION,
    ChangeKind.NATURALIZATION,
    ChangeKind.LOSS_OF_NATIONALITY,
    ChangeKind.MY_NUMBER_ENTRY,
    ChangeKind.MOVE_IN_NOTICE,
    ChangeKind.MY_NUMBER_EX_OFFICIO_CHANGE,
    ChangeKind.CANCELLATION,
}
"""Kinds the ward records on its own authority: no 届出日."""

OPTIONAL = {ChangeKind.DEATH}  # 死亡 may carry the 戸籍届出日 (spec 4.2.0.4)
MOVE_OUTS = {ChangeKind.DOMESTIC_MOVE_OUT, ChangeKind.MOVE_OUT_ABROAD}


def valid_fields(kind: ChangeKind, occurred_on: date) -> dict[str, Any]:
    """Return the fields, other than the dates, of a request of *kind* valid on the register."""
    foreign = foreign_details(residence_card_no="CD87654321EF", status_of_residence="永住者")
    transitional = foreign_details(
        foreign_category="transitional",
        residence_card_no=None,
        status_of_residence=None,
        period_of_stay=None,
        stay_expires_on=None,
    )
    names = {
        "family_name": "金田",
        "given_name": "民俊",
        "family_name_kana": "カネダ",
        "given_name_kana": "ミントシ",
        "honseki": "東京都新宿区西新宿二丁目8番地",
        "hittosha": "金田民俊",
    }
    catalogue: dict[ChangeKind, dict[str, Any]] = {
        ChangeKind.DOMESTIC_MOVE_IN: {
            "persons": [newcomer()],
            "address": OKUBO,
            "previous_address": NAKANO,
        },
        ChangeKind.MOVE_IN_FROM_ABROAD: {
            "persons": [newcomer()],
            "address": OKUBO,
            "previous_country": "アメリカ合衆国",
        },
        ChangeKind.BIRTH: {
            "persons": [newcomer("子", birth_date=occurred_on.isoformat())],
            "join_household_no": YAMADA,
        },
        ChangeKind.EX_OFFICIO_ENTRY: {"persons": [newcomer()], "address": OKUBO},
        ChangeKind.FOREIGN_MOVE_IN_30_46: {
            "persons": [foreign_newcomer()],
            "address": OKUBO,
            "previous_country": "ベトナム",
        },
        ChangeKind.NATURALIZATION: {"atena_no": MINJUN, **names},
        ChangeKind.LOSS_OF_NATIONALITY: {"atena_no": HANAKO, "foreign": transitional},
        ChangeKind.DOMESTIC_MOVE_OUT: {"atena_nos": [ICHIRO], "destination": NAKANO},
        ChangeKind.MOVE_OUT_ABROAD: {"atena_nos": [ICHIRO], "destination_country": "ドイツ"},
        ChangeKind.DEATH: {"atena_nos": [ICHIRO]},
        ChangeKind.EX_OFFICIO_REMOVAL: {"atena_nos": [ICHIRO]},
        ChangeKind.MOVE_WITHIN_WARD: {"atena_nos": [KEN, YUMI], "address": OKUBO},
        ChangeKind.HOUSEHOLD_SEPARATION: {"atena_nos": [ICHIRO], "new_head": ICHIRO},
        ChangeKind.HOUSEHOLD_MERGER: {
            "household_no": SUZUKI,
            "into_household_no": YAMADA,
            "relationships": {KEN: "縁故者", YUMI: "縁故者"},
        },
        ChangeKind.HOUSEHOLD_TRANSFER: {
            "atena_nos": [YUMI],
            "into_household_no": YAMADA,
            "relationships": {YUMI: "同居人"},
        },
        ChangeKind.HEAD_CHANGE: {
            "household_no": YAMADA,
            "new_head": HANAKO,
            "relationships": {TARO: "夫", ICHIRO: "子"},
        },
        ChangeKind.EX_OFFICIO_AMENDMENT: {"atena_no": TARO, "patch": {"given_name": "太朗"}},
        ChangeKind.CLERICAL_CORRECTION: {"atena_no": TARO, "patch": {"given_name": "太朗"}},
        ChangeKind.MINOR_CORRECTION: {"atena_no": TARO, "patch": {"voter_registered": True}},
        ChangeKind.RESIDENCE_STATUS_30_47: {"atena_no": MINJUN, "foreign": foreign},
        ChangeKind.MY_NUMBER_ENTRY: {"atena_no": TARO, "my_number": "123456789018"},
        ChangeKind.MOVE_IN_NOTICE: {
            "atena_no": GONE,
            "confirmed_on": (occurred_on - timedelta(days=1)).isoformat(),
            "confirmed_destination": NAKANO,
        },
        ChangeKind.MY_NUMBER_CHANGE_REQUEST: {"atena_no": TARO, "reason": "漏えいのおそれ"},
        ChangeKind.MY_NUMBER_EX_OFFICIO_CHANGE: {"atena_no": TARO, "reason": "漏えいのおそれ"},
        ChangeKind.JUMINHYO_CODE_CHANGE: {"atena_no": TARO},
        ChangeKind.CANCELLATION: {"target_change_id": uuid4(), "reason": "誤って入力したため"},
    }
    return catalogue[kind]


@pytest.fixture
def view(addresses: PostalAddressBook) -> RegisterView:
    """山田 (three) at HOME, 鈴木 (two) in another flat at the same 番地, 金 (one) elsewhere."""
    home = addresses.parse_ward_address(HOME)
    return register(
        addresses,
        *family(YAMADA, home, {TARO: HEAD, HANAKO: "妻", ICHIRO: "子"}),
        *family(SUZUKI, addresses.parse_ward_address(NEXT_FLAT), {KEN: HEAD, YUMI: "妻"}),
        resident(MINJUN, household=KIM, at=addresses.parse_ward_address(ACROSS_WARD), foreign=True),
        resident(
            GONE,
            household=LEFT,
            at=addresses.parse_ward_address(ACROSS_WARD),
            status=RecordStatus.REMOVED,
            removal_kind=ChangeKind.DOMESTIC_MOVE_OUT,
            planned_move_out_on=days_ago(30),
            move_out_destination=NAKANO,
        ),
    )


def change(
    view: RegisterView, kind: ChangeKind, occurred_on: date, notified_on: date | None
) -> Any:
    fields = valid_fields(kind, occurred_on)
    return plan(view, kind, occurred_on=occurred_on, notified_on=notified_on, **fields)


def filing_date(kind: ChangeKind, day: date) -> date | None:
    return None if kind in EX_OFFICIO else day


def test_every_kind_is_classed_as_filed_ex_officio_or_either() -> None:
    assert set(ChangeKind) == FILED | EX_OFFICIO | OPTIONAL
    assert not (FILED & EX_OFFICIO)


@pytest.mark.parametrize("kind", list(ChangeKind))
@pytest.mark.parametrize(("occurred", "notified"), [(3, 1), (0, 0)], ids=["past", "today"])
def test_every_kind_is_accepted_dated_in_the_past_or_today(
    view: RegisterView, kind: ChangeKind, occurred: int, notified: int
) -> None:
    change(view, kind, days_ago(occurred), filing_date(kind, days_ago(notified)))


MOVE_OUTS = {ChangeKind.DOMESTIC_MOVE_OUT, ChangeKind.MOVE_OUT_ABROAD}


@pytest.mark.parametrize("kind", sorted(set(ChangeKind) - MOVE_OUTS))
def test_a_change_date_in_the_future_is_refused(view: RegisterView, kind: ChangeKind) -> None:
    with refused(RuleViolation, "異動日が未来の日付です"):
        change(view, kind, days_ago(-1), filing_date(kind, days_ago(0)))


@pytest.mark.parametrize("kind", sorted(MOVE_OUTS))
def test_a_move_out_may_be_dated_in_the_future(view: RegisterView, kind: ChangeKind) -> None:
    (row,) = change(view, kind, days_ago(-30), days_ago(0))

    assert row.person.planned_move_out_on == days_ago(-30)  # 転出予定日 (spec 4.0.3)


@pytest.mark.parametrize("kind", sorted(FILED | OPTIONAL))
def test_a_filing_date_in_the_future_is_refused(view: RegisterView, kind: ChangeKind) -> None:
    with refused(RuleViolation, "届出日が未来の日付です"):
        change(view, kind, days_ago(3), days_ago(-1))


@pytest.mark.parametrize("kind", sorted(FILED))
def test_a_filed_change_needs_its_filing_date(view: RegisterView, kind: ChangeKind) -> None:
    with refused(RuleViolation, "届出日が必要です"):
        change(view, kind, days_ago(3), None)


@pytest.mark.parametrize("kind", sorted(EX_OFFICIO))
def test_an_ex_officio_change_has_no_filing_date(view: RegisterView, kind: ChangeKind) -> None:
    with refused(RuleViolation, "職権処理のため届出日は入力できません"):
        change(view, kind, days_ago(3), days_ago(1))


def test_a_death_may_be_entered_with_or_without_the_filing_date(view: RegisterView) -> None:
    (with_date,) = change(view, ChangeKind.DEATH, days_ago(3), days_ago(1))
    (without,) = change(view, ChangeKind.DEATH, days_ago(3), None)

    assert (with_date.person.notified_on, without.person.notified_on) == (days_ago(1), None)


@pytest.mark.parametrize("kind", sorted((FILED | OPTIONAL) - MOVE_OUTS))
def test_a_filing_cannot_precede_the_event(view: RegisterView, kind: ChangeKind) -> None:
    with refused(RuleViolation, "届出日が異動日より前です"):
        change(view, kind, days_ago(3), days_ago(5))


@pytest.mark.parametrize("kind", sorted(MOVE_OUTS))
def test_a_move_out_may_be_filed_before_the_departure(view: RegisterView, kind: ChangeKind) -> None:
    rows = change(view, kind, days_ago(3), days_ago(5))

    assert rows[0].person.notified_on == days_ago(5)
