"""修正 of households: 転居, 世帯分離, 世帯合併, 世帯変更, 世帯主変更 (spec 4.1.2, 4.1.4, 4.0.4)."""

from __future__ import annotations

from typing import Any

import pytest
from jumin_contracts.codes import HEAD, ChangeKind
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.errors import NotFound, RuleViolation, StateConflict
from registry.domain.planning import RegisterView

from .builders import (
    ACROSS_WARD,
    HOME,
    NEXT_FLAT,
    atena,
    days_ago,
    family,
    household_no,
    latest,
    on,
    plan,
    refused,
    register,
)

TARO, HANAKO, ICHIRO, JIRO = atena(1), atena(2), atena(3), atena(4)
KEN, YUMI = atena(11), atena(12)
SHO = atena(21)
YAMADA, SUZUKI, TANAKA = household_no(1), household_no(2), household_no(3)
OKUBO = "大久保三丁目14番4号"

FILED: dict[str, Any] = {"occurred_on": days_ago(5), "notified_on": days_ago(2)}


@pytest.fixture
def view(addresses: PostalAddressBook) -> RegisterView:
    """The 山田 family of four; the 鈴木 couple in another flat at the same 番地; 田中 elsewhere."""
    home = addresses.parse_ward_address(HOME)
    next_flat = addresses.parse_ward_address(NEXT_FLAT)
    across = addresses.parse_ward_address(ACROSS_WARD)
    return register(
        addresses,
        *family(YAMADA, home, {TARO: HEAD, HANAKO: "妻", ICHIRO: "子", JIRO: "子"}),
        *family(SUZUKI, next_flat, {KEN: HEAD, YUMI: "妻"}),
        *family(TANAKA, across, {SHO: HEAD}),
    )


def move(view: RegisterView, *who: str, address: str = OKUBO, **fields: Any) -> Any:
    return plan(
        view,
        ChangeKind.MOVE_WITHIN_WARD,
        atena_nos=list(who),
        address=address,
        **(FILED | fields),
    )


# --- 転居 ---------------------------------------------------------------------


def test_a_whole_household_moving_keeps_its_number_and_relationships(view: RegisterView) -> None:
    rows = move(view, TARO, HANAKO, ICHIRO, JIRO)

    after = latest(rows)
    assert set(after) == {TARO, HANAKO, ICHIRO, JIRO}
    assert {row.person.household_no for row in rows} == {YAMADA}
    assert (after[TARO].person.is_head, after[HANAKO].person.relationship) == (True, "妻")
    for row in rows:
        assert row.person.address == "東京都新宿区大久保三丁目14番4号"
        assert (row.person.postal_code, row.person.address_katagaki) == ("1690072", None)
        assert row.person.address_since == on(days_ago(5))
        assert row.person.notified_on == days_ago(2)
        assert not row.ex_officio


def test_a_move_to_another_flat_at_the_same_lot_is_a_move(view: RegisterView) -> None:
    rows = move(view, KEN, YUMI, address="西新宿二丁目8番1号 新宿ハイツ305")

    assert {row.person.address_katagaki for row in rows} == {"新宿ハイツ305"}
    assert {row.person.household_no for row in rows} == {SUZUKI}


def test_a_move_to_the_current_address_is_refused(view: RegisterView) -> None:
    with refused(RuleViolation, "転居先が現住所と同じ"):
        move(view, KEN, YUMI, address=NEXT_FLAT)


def test_part_of_a_household_moving_must_say_which_household_it_forms_or_joins(
    view: RegisterView,
) -> None:
    with refused(RuleViolation, "新しい世帯主か転居先の世帯を指定"):
        move(view, ICHIRO, JIRO)


def test_part_of_a_household_may_form_a_new_one(view: RegisterView) -> None:
    rows = move(view, ICHIRO, JIRO, new_head=ICHIRO, relationships={JIRO: "弟"})

    after = latest(rows)
    assert set(after) == {ICHIRO, JIRO}  # the rest of the 山田 household is untouched
    new_household = after[ICHIRO].person.household_no
    assert new_household not in {YAMADA, SUZUKI, TANAKA}
    assert after[JIRO].person.household_no == new_household
    assert (after[ICHIRO].person.is_head, after[ICHIRO].person.relationship) == (True, HEAD)
    assert (after[JIRO].person.is_head, after[JIRO].person.relationship) == (False, "弟")
    assert after[JIRO].person.address == "東京都新宿区大久保三丁目14番4号"


def test_the_new_head_must_be_one_of_the_movers(view: RegisterView) -> None:
    with refused(RuleViolation, "新しい世帯主は異動者の中から"):
        move(view, ICHIRO, JIRO, new_head=TARO, relationships={ICHIRO: "子", JIRO: "子"})


@pytest.mark.parametrize(
    ("relationships", "because"),
    [
        ({}, "続柄は異動する世帯員全員"),
        ({JIRO: "弟", TARO: "父"}, "続柄は異動する世帯員全員"),
        ({JIRO: HEAD}, "世帯主の続柄は「世帯主」"),
        ({JIRO: "友達"}, "続柄「友達」は使えません"),
    ],
)
def test_the_movers_relationships_to_the_new_head_are_checked(
    view: RegisterView, relationships: dict[str, str], because: str
) -> None:
    with refused(RuleViolation, because):
        move(view, ICHIRO, JIRO, new_head=ICHIRO, relationships=relationships)


def test_movers_may_join_a_household_at_the_new_address(view: RegisterView) -> None:
    rows = move(
        view,
        ICHIRO,
        address=ACROSS_WARD,
        join_household_no=TANAKA,
        relationships={ICHIRO: "同居人"},
    )

    (row,) = rows
    assert row.person.household_no == TANAKA
    assert (row.person.is_head, row.person.relationship) == (False, "同居人")
    assert row.person.address == "東京都新宿区高田馬場一丁目1番1号"


def test_movers_cannot_join_a_household_living_elsewhere(view: RegisterView) -> None:
    with refused(RuleViolation, "転居先の世帯の住所と一致しません"):
        move(view, ICHIRO, join_household_no=TANAKA, relationships={ICHIRO: "同居人"})


def test_joining_movers_need_a_relationship_each(view: RegisterView) -> None:
    with refused(RuleViolation, "続柄は異動する世帯員全員"):
        move(view, ICHIRO, JIRO, address=ACROSS_WARD, join_household_no=TANAKA)


def test_a_whole_household_move_cannot_change_relationships(view: RegisterView) -> None:
    with refused(RuleViolation, "続柄は変わりません"):
        move(view, KEN, YUMI, relationships={YUMI: "同居人"})


def test_a_person_listed_twice_is_refused(view: RegisterView) -> None:
    with refused(RuleViolation, "重複"):
        move(view, KEN, YUMI, KEN)


def test_the_new_address_must_be_in_the_dictionary(view: RegisterView) -> None:
    with refused(RuleViolation, "辞書にありません"):
        move(view, KEN, YUMI, address="存在しない町1番1号")


def test_a_head_moving_away_from_several_members_must_change_head_first(
    view: RegisterView,
) -> None:
    with refused(StateConflict, "先に世帯主変更を行ってください"):
        move(view, TARO, new_head=TARO)


def test_a_head_moving_away_from_one_member_leaves_that_member_head(view: RegisterView) -> None:
    rows = move(
        view, TARO, HANAKO, ICHIRO, new_head=TARO, relationships={HANAKO: "妻", ICHIRO: "子"}
    )

    after = latest(rows)
    assert (after[JIRO].person.is_head, after[JIRO].person.relationship) == (True, HEAD)
    assert after[JIRO].person.household_no == YAMADA
    assert after[JIRO].ex_officio
    assert after[TARO].person.household_no != YAMADA


# --- 世帯分離 -------------------------------------------------------------------


def separate(view: RegisterView, *who: str, new_head: str, **relationships: str) -> Any:
    return plan(
        view,
        ChangeKind.HOUSEHOLD_SEPARATION,
        atena_nos=list(who),
        new_head=new_head,
        relationships=dict(relationships),
        **FILED,
    )


def test_a_member_separating_forms_a_new_household_at_the_same_address(
    view: RegisterView,
) -> None:
    (row,) = separate(view, ICHIRO, new_head=ICHIRO)

    assert row.person.household_no not in {YAMADA, SUZUKI, TANAKA}
    assert (row.person.is_head, row.person.relationship) == (True, HEAD)
    assert row.person.address == "東京都新宿区西新宿二丁目8番1号 新宿ハイツ101"
    assert row.person.address_since == on("2020-04-01")  # the address did not change
    assert not row.ex_officio


def test_members_separating_together_get_relationships_to_their_new_head(
    view: RegisterView,
) -> None:
    rows = separate(view, ICHIRO, JIRO, new_head=JIRO, **{ICHIRO: "兄"})

    after = latest(rows)
    assert after[ICHIRO].person.household_no == after[JIRO].person.household_no != YAMADA
    assert after[ICHIRO].person.relationship == "兄"


def test_a_whole_household_cannot_separate(view: RegisterView) -> None:
    with refused(RuleViolation, "世帯全員は分離できません"):
        separate(view, KEN, YUMI, new_head=KEN, **{YUMI: "妻"})


def test_members_of_different_households_cannot_separate_together(view: RegisterView) -> None:
    with refused(RuleViolation, "同じ世帯の世帯員"):
        separate(view, ICHIRO, YUMI, new_head=ICHIRO, **{YUMI: "同居人"})


def test_the_head_of_a_separated_household_must_be_one_of_its_members(
    view: RegisterView,
) -> None:
    with refused(RuleViolation, "新しい世帯主は異動者の中から"):
        separate(view, ICHIRO, new_head=JIRO)


def test_a_head_separating_from_one_member_leaves_that_member_head(view: RegisterView) -> None:
    rows = separate(view, KEN, new_head=KEN)

    after = latest(rows)
    assert after[KEN].person.household_no != SUZUKI
    assert (after[YUMI].person.is_head, after[YUMI].person.household_no) == (True, SUZUKI)
    assert after[YUMI].ex_officio


def test_a_head_separating_from_several_members_must_change_head_first(
    view: RegisterView,
) -> None:
    with refused(StateConflict, "世帯主が0人"):
        separate(view, TARO, new_head=TARO)


# --- 世帯合併 -------------------------------------------------------------------


def merge(view: RegisterView, household: str, into: str, **relationships: str) -> Any:
    return plan(
        view,
        ChangeKind.HOUSEHOLD_MERGER,
        household_no=household,
        into_household_no=into,
        relationships=dict(relationships),
        **FILED,
    )


def test_a_household_merging_joins_the_other_under_its_head(view: RegisterView) -> None:
    rows = merge(view, SUZUKI, YAMADA, **{KEN: "縁故者", YUMI: "縁故者"})

    after = latest(rows)
    assert set(after) == {KEN, YUMI}  # the receiving household is untouched
    for atena_no in (KEN, YUMI):
        person = after[atena_no].person
        assert (person.household_no, person.is_head, person.relationship) == (
            YAMADA,
            False,
            "縁故者",
        )
        assert person.address_katagaki == "新宿ハイツ202"  # 方書 need not match (spec 4.1.4.1)


def test_a_household_cannot_merge_into_itself(view: RegisterView) -> None:
    with refused(RuleViolation, "同じ世帯どうしは合併できません"):
        merge(view, SUZUKI, SUZUKI, **{KEN: "縁故者", YUMI: "縁故者"})


def test_households_at_different_addresses_cannot_merge(view: RegisterView) -> None:
    with refused(RuleViolation, "住所が異なる世帯"):
        merge(view, TANAKA, YAMADA, **{SHO: "同居人"})


def test_every_member_of_the_merging_household_needs_a_relationship(view: RegisterView) -> None:
    with refused(RuleViolation, "続柄は異動する世帯員全員"):
        merge(view, SUZUKI, YAMADA, **{KEN: "縁故者"})


def test_merging_an_unknown_household_is_not_found(view: RegisterView) -> None:
    with refused(NotFound, "世帯はありません"):
        merge(view, household_no(99), YAMADA, **{KEN: "縁故者"})


# --- 世帯変更 -------------------------------------------------------------------


def transfer(view: RegisterView, *who: str, into: str, **relationships: str) -> Any:
    return plan(
        view,
        ChangeKind.HOUSEHOLD_TRANSFER,
        atena_nos=list(who),
        into_household_no=into,
        relationships=dict(relationships),
        **FILED,
    )


def test_a_member_may_move_into_another_household_at_the_same_address(
    view: RegisterView,
) -> None:
    (row,) = transfer(view, ICHIRO, into=SUZUKI, **{ICHIRO: "同居人"})

    assert (row.person.household_no, row.person.is_head) == (SUZUKI, False)
    assert row.person.relationship == "同居人"


def test_a_member_cannot_transfer_into_their_own_household(view: RegisterView) -> None:
    with refused(StateConflict, "既にその世帯の世帯員"):
        transfer(view, ICHIRO, into=YAMADA, **{ICHIRO: "子"})


def test_a_member_cannot_transfer_to_a_household_elsewhere(view: RegisterView) -> None:
    with refused(RuleViolation, "住所が異なる世帯"):
        transfer(view, ICHIRO, into=TANAKA, **{ICHIRO: "同居人"})


def test_a_transferred_member_cannot_arrive_as_head(view: RegisterView) -> None:
    with refused(RuleViolation, "世帯主の続柄は「世帯主」"):
        transfer(view, ICHIRO, into=SUZUKI, **{ICHIRO: HEAD})


def test_a_head_transferring_away_from_one_member_leaves_that_member_head(
    view: RegisterView,
) -> None:
    rows = transfer(view, KEN, into=YAMADA, **{KEN: "縁故者"})

    after = latest(rows)
    assert after[KEN].person.household_no == YAMADA
    assert (after[YUMI].person.is_head, after[YUMI].person.relationship) == (True, HEAD)
    assert after[YUMI].ex_officio


def test_a_head_transferring_away_from_several_members_must_change_head_first(
    view: RegisterView,
) -> None:
    with refused(StateConflict, "先に世帯主変更"):
        transfer(view, TARO, into=SUZUKI, **{TARO: "同居人"})


# --- 世帯主変更 -----------------------------------------------------------------


def change_head(view: RegisterView, new_head: str, **relationships: str) -> Any:
    return plan(
        view,
        ChangeKind.HEAD_CHANGE,
        household_no=YAMADA,
        new_head=new_head,
        relationships=dict(relationships),
        **FILED,
    )


def test_a_new_head_takes_over_and_everyone_gets_a_relationship_to_them(
    view: RegisterView,
) -> None:
    rows = change_head(view, HANAKO, **{TARO: "夫", ICHIRO: "子", JIRO: "子"})

    after = latest(rows)
    assert {a for a, row in after.items() if row.person.is_head} == {HANAKO}
    assert after[HANAKO].person.relationship == HEAD
    assert (after[TARO].person.is_head, after[TARO].person.relationship) == (False, "夫")
    assert {row.person.household_no for row in rows} == {YAMADA}
    assert not any(row.ex_officio for row in rows)


def test_the_new_head_must_belong_to_the_household(view: RegisterView) -> None:
    with refused(RuleViolation, "世帯員ではありません"):
        change_head(view, KEN, **{TARO: "同居人", HANAKO: "同居人", ICHIRO: "同居人"})


def test_the_head_cannot_become_head_again(view: RegisterView) -> None:
    with refused(RuleViolation, "既に世帯主です"):
        change_head(view, TARO, **{HANAKO: "妻", ICHIRO: "子", JIRO: "子"})


def test_the_former_head_needs_a_relationship_too(view: RegisterView) -> None:
    with refused(RuleViolation, "続柄は異動する世帯員全員"):
        change_head(view, HANAKO, **{ICHIRO: "子", JIRO: "子"})


def test_the_new_head_is_not_given_a_relationship(view: RegisterView) -> None:
    with refused(RuleViolation, "続柄は異動する世帯員全員"):
        change_head(view, HANAKO, **{TARO: "夫", HANAKO: "妻", ICHIRO: "子", JIRO: "子"})


def test_the_household_must_exist(view: RegisterView) -> None:
    with refused(NotFound, "世帯はありません"):
        plan(
            view,
            ChangeKind.HEAD_CHANGE,
            household_no=household_no(99),
            new_head=HANAKO,
            relationships={TARO: "夫"},
            **FILED,
        )
