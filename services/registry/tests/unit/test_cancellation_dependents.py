"""Which later changes a 異動の取消し must take with it (spec 4.6; domain/cancellation.py)."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from jumin_contracts.codes import HEAD, ChangeKind
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.cancellation import (
    DependentChanges,
    Footprint,
    RowChange,
    check_also_cancel,
    dependents,
    footprint,
)
from registry.domain.errors import StateConflict
from registry.domain.model import Person, RecordStatus

from .builders import HOME, atena, household_no, resident

TARO, HANAKO, ICHIRO, BABY = atena(1), atena(2), atena(3), atena(4)
YAMADA, ICHIRO_ALONE = household_no(1), household_no(2)


@pytest.fixture
def people(addresses: PostalAddressBook) -> dict[str, Person]:
    """Taro (head), Hanako (wife) and Ichiro (son) of one 世帯, and a baby of it."""
    home = addresses.parse_ward_address(HOME)
    rows = {
        TARO: resident(TARO, household=YAMADA, at=home),
        HANAKO: resident(HANAKO, household=YAMADA, at=home, relationship="妻"),
        ICHIRO: resident(ICHIRO, household=YAMADA, at=home, relationship="子"),
        BABY: resident(BABY, household=YAMADA, at=home, relationship="子"),
    }
    return {atena_no: row.person for atena_no, row in rows.items()}


def change(kind: ChangeKind, *rows: tuple[str, Person | None, Person]) -> Footprint:
    return footprint(uuid4(), kind, [RowChange(a, before, after) for a, before, after in rows])


def move_in(people: dict[str, Person]) -> Footprint:
    """The 転入 of Taro, Hanako and Ichiro: it creates the 世帯 YAMADA."""
    return change(
        ChangeKind.DOMESTIC_MOVE_IN, *((a, None, people[a]) for a in (TARO, HANAKO, ICHIRO))
    )


def ids(found: list[Footprint]) -> list[UUID]:
    return [f.change_id for f in found]


def test_a_birth_depends_on_the_move_in_that_made_its_household(
    people: dict[str, Person],
) -> None:
    birth = change(ChangeKind.BIRTH, (BABY, None, people[BABY]))

    assert ids(dependents(move_in(people), [birth])) == [birth.change_id]


def test_a_move_of_someone_depends_on_the_change_that_entered_them(
    people: dict[str, Person],
) -> None:
    moved = people[TARO].evolve(address="東京都新宿区大久保三丁目14番4号")
    move = change(ChangeKind.MOVE_WITHIN_WARD, (TARO, people[TARO], moved))

    assert ids(dependents(move_in(people), [move])) == [move.change_id]


def test_a_head_change_depends_on_whoever_left_the_household_before_it(
    people: dict[str, Person],
) -> None:
    alone = people[ICHIRO].evolve(household_no=ICHIRO_ALONE, is_head=True, relationship=HEAD)
    separation = change(ChangeKind.HOUSEHOLD_SEPARATION, (ICHIRO, people[ICHIRO], alone))
    hanako_head = people[HANAKO].evolve(is_head=True, relationship=HEAD)
    taro_husband = people[TARO].evolve(is_head=False, relationship="夫")
    head_change = change(
        ChangeKind.HEAD_CHANGE,
        (HANAKO, people[HANAKO], hanako_head),
        (TARO, people[TARO], taro_husband),
    )

    # Ichiro would come back as 子 of a head who is no longer head (rule c)
    assert ids(dependents(separation, [head_change])) == [head_change.change_id]


def test_a_birth_does_not_depend_on_a_member_leaving_whose_head_stays(
    people: dict[str, Person],
) -> None:
    dead = people[ICHIRO].evolve(status=RecordStatus.REMOVED)
    death = change(ChangeKind.DEATH, (ICHIRO, people[ICHIRO], dead))
    birth = change(ChangeKind.BIRTH, (BABY, None, people[BABY]))

    assert dependents(death, [birth]) == []


def test_a_name_correction_in_the_household_does_not_depend_on_its_move_in(
    people: dict[str, Person],
) -> None:
    baby = change(ChangeKind.BIRTH, (BABY, None, people[BABY]))
    renamed = people[BABY].evolve(given_name="二郎")
    # the baby's birth is cancelled with it, so compare against the move-in alone
    correction = change(ChangeKind.CLERICAL_CORRECTION, (BABY, people[BABY], renamed))

    assert dependents(move_in(people), [correction]) == []
    assert ids(dependents(baby, [correction])) == [correction.change_id]


def test_dependence_is_transitive(people: dict[str, Person]) -> None:
    birth = change(ChangeKind.BIRTH, (BABY, None, people[BABY]))
    moved = people[BABY].evolve(address="東京都新宿区大久保三丁目14番4号")
    move = change(ChangeKind.MOVE_WITHIN_WARD, (BABY, people[BABY], moved))

    # the move touches only the baby, whom the move-in never touched: it depends via the birth
    assert ids(dependents(move_in(people), [birth, move])) == [birth.change_id, move.change_id]


def test_a_refusal_lists_the_dependents_by_id_and_kind_only(people: dict[str, Person]) -> None:
    birth = change(ChangeKind.BIRTH, (BABY, None, people[BABY]))

    with pytest.raises(DependentChanges) as refused:
        check_also_cancel([birth], [])

    assert refused.value.extra == {
        "dependent_changes": [{"change_id": str(birth.change_id), "kind": "birth"}]
    }
    assert "山田" not in refused.value.detail
    assert TARO not in refused.value.detail


def test_also_cancel_may_name_only_dependents(people: dict[str, Person]) -> None:
    birth = change(ChangeKind.BIRTH, (BABY, None, people[BABY]))
    check_also_cancel([birth], [birth.change_id])  # exactly the dependents: accepted

    with pytest.raises(StateConflict, match="依存しない異動"):
        check_also_cancel([birth], [birth.change_id, uuid4()])
