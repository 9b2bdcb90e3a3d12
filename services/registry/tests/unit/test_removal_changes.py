"""消除: 国内転出, 国外転出, 死亡, 職権消除, and the head leaving a household (spec 4.0.4)."""

from __future__ import annotations

from typing import Any

import pytest
from jumin_contracts.codes import HEAD, ChangeKind
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.addresses import WardAddress
from registry.domain.errors import NotFound, RuleViolation, StateConflict
from registry.domain.model import RecordStatus
from registry.domain.planning import RegisterView, is_ex_officio

from .builders import (
    HOME,
    NAKANO,
    atena,
    days_ago,
    family,
    household_no,
    latest,
    on,
    plan,
    refused,
    register,
    request,
    resident,
)

TARO, HANAKO, ICHIRO, JIRO = atena(1), atena(2), atena(3), atena(4)
YAMADA = household_no(1)


@pytest.fixture
def home(addresses: PostalAddressBook) -> WardAddress:
    return addresses.parse_ward_address(HOME)


@pytest.fixture
def couple(addresses: PostalAddressBook, home: WardAddress) -> RegisterView:
    return register(addresses, *family(YAMADA, home, {TARO: HEAD, HANAKO: "妻"}))


@pytest.fixture
def four(addresses: PostalAddressBook, home: WardAddress) -> RegisterView:
    members = {TARO: HEAD, HANAKO: "妻", ICHIRO: "子", JIRO: "子"}
    return register(addresses, *family(YAMADA, home, members))


def move_out(view: RegisterView, *who: str, **fields: Any) -> Any:
    """Plan a 国内転出 to 中野区 filed the day after the move."""
    defaults: dict[str, Any] = {
        "occurred_on": days_ago(3),
        "notified_on": days_ago(2),
        "destination": NAKANO,
    }
    return plan(view, ChangeKind.DOMESTIC_MOVE_OUT, atena_nos=list(who), **(defaults | fields))


# --- 国内転出 -----------------------------------------------------------------


def test_a_household_moving_out_becomes_removed_records_with_the_destination(
    couple: RegisterView,
) -> None:
    rows = move_out(couple, TARO, HANAKO)

    assert {row.atena_no for row in rows} == {TARO, HANAKO}
    for row in rows:
        person = row.person
        assert person.status is RecordStatus.REMOVED
        assert person.removed_on == on(days_ago(3))
        assert person.removal_kind is ChangeKind.DOMESTIC_MOVE_OUT
        assert person.move_out_destination == NAKANO
        assert person.planned_move_out_on == days_ago(3)
        assert person.notified_on == days_ago(2)
        assert person.household_no == YAMADA
        assert not row.ex_officio


def test_a_move_out_may_be_filed_before_the_planned_date(couple: RegisterView) -> None:
    rows = move_out(couple, TARO, HANAKO, occurred_on=days_ago(-10), notified_on=days_ago(0))

    assert {row.person.planned_move_out_on for row in rows} == {days_ago(-10)}
    assert {row.person.removed_on for row in rows} == {on(days_ago(-10))}
    assert not any(row.ex_officio for row in rows)


def test_a_move_out_filed_more_than_14_days_late_is_recorded_ex_officio(
    couple: RegisterView,
) -> None:
    fields: dict[str, Any] = {"occurred_on": days_ago(15), "notified_on": days_ago(0)}

    rows = move_out(couple, TARO, HANAKO, **fields)

    assert all(row.ex_officio for row in rows)
    assert is_ex_officio(
        request(ChangeKind.DOMESTIC_MOVE_OUT, atena_nos=[TARO], destination=NAKANO, **fields)
    )


def test_a_move_out_filed_on_the_14th_day_is_still_a_filing(couple: RegisterView) -> None:
    rows = move_out(couple, TARO, HANAKO, occurred_on=days_ago(14), notified_on=days_ago(0))

    assert not any(row.ex_officio for row in rows)


def test_a_domestic_move_out_needs_a_destination_in_japan(couple: RegisterView) -> None:
    with refused(RuleViolation, "転出先の住所が必要"):
        move_out(couple, TARO, HANAKO, destination=None)
    with refused(RuleViolation, "転出先の住所が必要"):
        move_out(couple, TARO, HANAKO, destination_country="アメリカ合衆国")


def test_a_move_out_to_an_address_in_the_ward_is_a_move_within_it(couple: RegisterView) -> None:
    with refused(RuleViolation, "区内の移動は転居"):
        move_out(couple, TARO, HANAKO, destination="東京都新宿区高田馬場一丁目1番1号")


def test_a_person_listed_twice_is_refused(couple: RegisterView) -> None:
    with refused(RuleViolation, "重複"):
        move_out(couple, TARO, HANAKO, TARO)


def test_nobody_can_move_out_twice(addresses: PostalAddressBook, home: WardAddress) -> None:
    gone = resident(TARO, household=YAMADA, at=home, status=RecordStatus.REMOVED)
    view = register(addresses, gone)

    with refused(StateConflict, "既に消除されています"):
        move_out(view, TARO)


def test_an_unknown_person_cannot_move_out(couple: RegisterView) -> None:
    with refused(NotFound, "住民はいません"):
        move_out(couple, atena(99))


# --- 国外転出 -----------------------------------------------------------------


def test_a_move_abroad_records_the_destination_country(couple: RegisterView) -> None:
    rows = plan(
        couple,
        ChangeKind.MOVE_OUT_ABROAD,
        occurred_on=days_ago(1),
        notified_on=days_ago(7),  # a 転出 may be filed before the departure
        atena_nos=[TARO, HANAKO],
        destination_country="アメリカ合衆国",
        destination="カリフォルニア州",
    )

    for row in rows:
        assert row.person.status is RecordStatus.REMOVED
        assert row.person.removal_kind is ChangeKind.MOVE_OUT_ABROAD
        assert row.person.move_out_destination == "アメリカ合衆国 カリフォルニア州"
        assert row.person.planned_move_out_on == days_ago(1)
        assert not row.ex_officio


def test_a_move_abroad_needs_the_country(couple: RegisterView) -> None:
    with refused(RuleViolation, "転出先の国・地域が必要"):
        plan(
            couple,
            ChangeKind.MOVE_OUT_ABROAD,
            occurred_on=days_ago(1),
            notified_on=days_ago(1),
            atena_nos=[TARO, HANAKO],
            destination="カリフォルニア州",
        )


# --- 死亡・職権消除 -------------------------------------------------------------


def test_a_death_removes_the_record_without_a_destination(couple: RegisterView) -> None:
    (row,) = plan(couple, ChangeKind.DEATH, occurred_on=days_ago(4), atena_nos=[HANAKO])

    assert row.atena_no == HANAKO
    assert row.person.status is RecordStatus.REMOVED
    assert row.person.removal_kind is ChangeKind.DEATH
    assert row.person.removed_on == on(days_ago(4))
    assert row.person.move_out_destination is None


def test_a_death_may_carry_the_date_the_family_register_was_notified(
    couple: RegisterView,
) -> None:
    (row,) = plan(
        couple,
        ChangeKind.DEATH,
        occurred_on=days_ago(4),
        notified_on=days_ago(2),
        atena_nos=[HANAKO],
    )

    assert row.person.notified_on == days_ago(2)


@pytest.mark.parametrize("kind", [ChangeKind.DEATH, ChangeKind.EX_OFFICIO_REMOVAL])
def test_a_removal_without_a_move_has_no_destination(
    couple: RegisterView, kind: ChangeKind
) -> None:
    with refused(RuleViolation, "転出先は入力しません"):
        plan(couple, kind, occurred_on=days_ago(4), atena_nos=[HANAKO], destination=NAKANO)
    with refused(RuleViolation, "転出先は入力しません"):
        plan(
            couple,
            kind,
            occurred_on=days_ago(4),
            atena_nos=[HANAKO],
            destination_country="アメリカ合衆国",
        )


def test_an_ex_officio_removal_is_recorded_as_such(couple: RegisterView) -> None:
    (row,) = plan(
        couple, ChangeKind.EX_OFFICIO_REMOVAL, occurred_on="2026年10月頃", atena_nos=[HANAKO]
    )

    assert row.ex_officio
    assert row.person.status is RecordStatus.REMOVED
    assert row.person.removal_kind is ChangeKind.EX_OFFICIO_REMOVAL
    assert row.person.removed_on == on("2026年10月頃")


# --- 世帯主不在 (spec 4.0.4) -----------------------------------------------------


def test_when_the_head_dies_the_one_remaining_member_becomes_head_ex_officio(
    couple: RegisterView,
) -> None:
    rows = plan(couple, ChangeKind.DEATH, occurred_on=days_ago(4), atena_nos=[TARO])

    after = latest(rows)
    assert after[TARO].person.status is RecordStatus.REMOVED
    widow = after[HANAKO]
    assert (widow.person.is_head, widow.person.relationship) == (True, HEAD)
    assert widow.person.household_no == YAMADA
    assert widow.person.status is RecordStatus.RESIDENT
    assert widow.ex_officio


def test_when_the_head_leaves_two_or_more_members_the_head_must_be_changed_first(
    four: RegisterView,
) -> None:
    with refused(StateConflict, "先に世帯主変更を行ってください"):
        move_out(four, TARO)


def test_when_the_head_and_others_leave_one_member_the_one_becomes_head(
    four: RegisterView,
) -> None:
    rows = move_out(four, TARO, HANAKO, ICHIRO)

    after = latest(rows)
    assert (after[JIRO].person.is_head, after[JIRO].person.relationship) == (True, HEAD)
    assert after[JIRO].ex_officio
    assert not after[TARO].ex_officio  # the filing itself stays a filing


def test_a_member_leaving_does_not_touch_the_head(four: RegisterView) -> None:
    rows = move_out(four, ICHIRO)

    assert [row.atena_no for row in rows] == [ICHIRO]


def test_when_the_whole_household_leaves_nobody_becomes_head(four: RegisterView) -> None:
    rows = move_out(four, TARO, HANAKO, ICHIRO, JIRO)

    assert all(row.person.status is RecordStatus.REMOVED for row in rows)
    assert len(rows) == 4


def test_a_move_out_abroad_of_the_head_follows_the_same_rule(four: RegisterView) -> None:
    with refused(StateConflict, "世帯主"):
        plan(
            four,
            ChangeKind.MOVE_OUT_ABROAD,
            occurred_on=days_ago(1),
            notified_on=days_ago(1),
            atena_nos=[TARO],
            destination_country="アメリカ合衆国",
        )
