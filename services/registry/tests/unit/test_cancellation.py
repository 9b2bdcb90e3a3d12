"""異動の取消し: restore everyone an approved change touched, by appending rows (spec 4.6)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from jumin_contracts.codes import HEAD, ChangeKind, ResidentType
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.errors import RuleViolation, StateConflict
from registry.domain.model import HistoryRow, RecordStatus
from registry.domain.planning import RegisterView

from .builders import (
    HOME,
    NAKANO,
    approve,
    atena,
    days_ago,
    family,
    household_no,
    latest,
    newcomer,
    plan,
    refused,
    register,
    resident,
)

TARO, HANAKO, MINJUN = atena(1), atena(2), atena(3)
YAMADA = household_no(1)


@pytest.fixture
def before(addresses: PostalAddressBook) -> RegisterView:
    """The register before the change that will be cancelled: a couple and a foreign lodger."""
    home = addresses.parse_ward_address(HOME)
    return register(
        addresses,
        *family(YAMADA, home, {TARO: HEAD, HANAKO: "妻"}),
        resident(MINJUN, household=household_no(2), at=home, foreign=True),
    )


def cancel(
    addresses: PostalAddressBook, after: list[HistoryRow], restore: dict[str, HistoryRow | None]
) -> Any:
    """Plan the cancellation of a change, given who it touched and their rows before it."""
    view = register(addresses, *after, cancelled_rows=restore)
    return plan(
        view,
        ChangeKind.CANCELLATION,
        occurred_on=days_ago(0),
        target_change_id=uuid4(),
        reason="誤って入力したため",
    )


def touched(before: RegisterView, kind: ChangeKind, **fields: Any) -> tuple[list[Any], Any]:
    """Plan and approve a change; return the register after it and who it touched, as before."""
    planned = plan(before, kind, **fields)
    restore = {row.atena_no: before.current.get(row.atena_no) for row in planned}
    return approve(before, kind, planned), restore


def test_cancelling_a_death_restores_the_deceased_and_the_ex_officio_head(
    addresses: PostalAddressBook, before: RegisterView
) -> None:
    after, restore = touched(before, ChangeKind.DEATH, occurred_on=days_ago(2), atena_nos=[TARO])
    assert set(restore) == {TARO, HANAKO}  # the widow became head ex officio

    rows = cancel(addresses, after, restore)

    restored = latest(rows)
    assert restored[TARO].person == before.current[TARO].person
    assert restored[HANAKO].person == before.current[HANAKO].person
    assert restored[TARO].person.status is RecordStatus.RESIDENT
    assert {a for a, row in restored.items() if row.person.is_head} == {TARO}
    assert all(row.ex_officio for row in rows)


def test_cancelling_a_move_in_voids_the_people_it_entered(
    addresses: PostalAddressBook, before: RegisterView
) -> None:
    after, restore = touched(
        before,
        ChangeKind.DOMESTIC_MOVE_IN,
        occurred_on=days_ago(3),
        notified_on=days_ago(2),
        persons=[newcomer(), newcomer("妻", given_name="花", given_name_kana="ハナ", sex="female")],
        address="大久保三丁目14番4号",
        previous_address=NAKANO,
    )
    assert set(restore.values()) == {None}

    rows = cancel(addresses, after, restore)

    assert {row.atena_no for row in rows} == set(restore)
    assert {row.person.status for row in rows} == {RecordStatus.VOID}
    assert all(row.ex_officio for row in rows)


def test_cancelling_a_birth_voids_only_the_newborn(
    addresses: PostalAddressBook, before: RegisterView
) -> None:
    after, restore = touched(
        before,
        ChangeKind.BIRTH,
        occurred_on=days_ago(5),
        notified_on=days_ago(1),
        join_household_no=YAMADA,
        persons=[newcomer("子", birth_date=days_ago(5).isoformat())],
    )

    (row,) = cancel(addresses, after, restore)

    assert row.person.status is RecordStatus.VOID
    assert row.person.household_no == YAMADA


def test_cancelling_a_move_within_the_ward_puts_the_household_back(
    addresses: PostalAddressBook, before: RegisterView
) -> None:
    after, restore = touched(
        before,
        ChangeKind.MOVE_WITHIN_WARD,
        occurred_on=days_ago(3),
        notified_on=days_ago(2),
        atena_nos=[TARO, HANAKO],
        address="大久保三丁目14番4号",
    )

    rows = cancel(addresses, after, restore)

    for row in rows:
        assert row.person.address == "東京都新宿区西新宿二丁目8番1号 新宿ハイツ101"
        assert row.person == before.current[row.atena_no].person


def test_cancelling_a_head_change_restores_the_former_head(
    addresses: PostalAddressBook, before: RegisterView
) -> None:
    after, restore = touched(
        before,
        ChangeKind.HEAD_CHANGE,
        occurred_on=days_ago(3),
        notified_on=days_ago(2),
        household_no=YAMADA,
        new_head=HANAKO,
        relationships={TARO: "夫"},
    )

    restored = latest(cancel(addresses, after, restore))

    assert (restored[TARO].person.is_head, restored[TARO].person.relationship) == (True, HEAD)
    assert (restored[HANAKO].person.is_head, restored[HANAKO].person.relationship) == (
        False,
        "妻",
    )


def test_cancelling_a_naturalization_reopens_the_foreign_record(
    addresses: PostalAddressBook, before: RegisterView
) -> None:
    after, restore = touched(
        before,
        ChangeKind.NATURALIZATION,
        occurred_on=days_ago(3),
        atena_no=MINJUN,
        family_name="金田",
        given_name="民俊",
        family_name_kana="カネダ",
        given_name_kana="ミントシ",
        honseki="東京都新宿区西新宿二丁目8番地",
        hittosha="金田民俊",
    )

    (row,) = cancel(addresses, after, restore)

    assert row.person.resident_type is ResidentType.FOREIGN
    assert row.person.status is RecordStatus.RESIDENT
    assert row.person == before.current[MINJUN].person


def test_restoring_only_part_of_a_change_cannot_leave_two_heads(
    addresses: PostalAddressBook, before: RegisterView
) -> None:
    after, restore = touched(before, ChangeKind.DEATH, occurred_on=days_ago(2), atena_nos=[TARO])

    with refused(StateConflict, "世帯主が2人"):
        cancel(addresses, after, {TARO: restore[TARO]})


def test_a_cancellation_is_ex_officio_and_has_no_filing_date(
    addresses: PostalAddressBook, before: RegisterView
) -> None:
    after, restore = touched(before, ChangeKind.DEATH, occurred_on=days_ago(2), atena_nos=[HANAKO])
    view = register(addresses, *after, cancelled_rows=restore)

    with refused(RuleViolation, "職権処理のため届出日は入力できません"):
        plan(
            view,
            ChangeKind.CANCELLATION,
            occurred_on=days_ago(0),
            notified_on=days_ago(0),
            target_change_id=uuid4(),
            reason="申出による取消し",
        )
