"""住民票記載事項通知 from the 戸籍 side (住基法9条2項) → the pending 職権 change a reviewer decides.

Each event maps to the request a clerk would enter, and that request passes the register's
checks (`plan_change`): 婚姻・離婚・転籍・氏名の変更 → 職権修正 of what differs; 出生 → the child
into a parent's household on the 出生届; 死亡 → 消除 on the day of death. Nothing to do when the
register already says it; a child entered at the counter is recognised by name and birth date.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from jumin_contracts.check_digits import juminhyo_code_check_digit
from jumin_contracts.codes import HEAD, ChangeKind
from jumin_contracts.commands import KosekiEvent, KosekiRecordNotice
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.change_requests import Amendment, EntryChange, RemovalChange
from registry.domain.errors import NothingToChange, RuleViolation
from registry.domain.koseki_notices import (
    amendment_for,
    birth_for,
    death_for,
    names_the_child,
    newborn_relationship,
)
from registry.domain.model import KosekiBasis, RecordStatus
from registry.domain.planning import RegisterView, plan_change
from registry.domain.planning.koseki import koseki_basis

from .builders import HOME, HONSEKI, TODAY, atena, days_ago, family, household_no, refused, register

TARO, HANAKO, ICHIRO = atena(1), atena(2), atena(3)
YAMADA = household_no(1)
OSAKA = "大阪府大阪市北区梅田一丁目1番地"


def code_of(atena_no: str) -> str:
    return atena_no + juminhyo_code_check_digit(atena_no)  # as builders give each resident


@pytest.fixture
def view(addresses: PostalAddressBook) -> RegisterView:
    """山田太郎 (世帯主), 花子 (妻), 一郎 (子): 本籍 東京都新宿区, 筆頭者 山田太郎."""
    home = addresses.parse_ward_address(HOME)
    return register(addresses, *family(YAMADA, home, {TARO: HEAD, HANAKO: "妻", ICHIRO: "子"}))


def notice(event: KosekiEvent, **fields: Any) -> KosekiRecordNotice:
    """A notice about 一郎 that states what the register already holds, unless told otherwise."""
    return KosekiRecordNotice.model_validate(
        {
            "command_id": uuid4(),
            "sent_at": datetime(2026, 11, 27, 9, tzinfo=UTC),
            "notification_id": uuid4(),
            "event": event,
            "event_date": days_ago(3),
            "juminhyo_code": code_of(ICHIRO),
            "family_name": "山田",
            "given_name": "太郎",
            "birth_date": "1980-04-01",
            "sex": "male",
            "honseki": HONSEKI,
            "hittosha": "山田太郎",
            "honseki_municipality_code": "131041",
        }
        | fields
    )


def amend(view: RegisterView, sent: KosekiRecordNotice) -> Amendment:
    request = amendment_for(sent, atena_no=ICHIRO, person=view.current[ICHIRO].person)
    plan_change(request, view)  # as a clerk's entry is checked
    return request


# --- 婚姻・離婚・転籍・氏名の変更 → 職権修正 ------------------------------------------------------


def test_a_marriage_amends_the_new_family_name_honseki_and_hittosha(view: RegisterView) -> None:
    married = notice(KosekiEvent.MARRIAGE, family_name="佐藤", honseki=OSAKA, hittosha="佐藤花子")

    request = amend(view, married)

    assert request.kind is ChangeKind.EX_OFFICIO_AMENDMENT
    assert request.atena_no == ICHIRO
    assert request.patch.model_dump(exclude_unset=True) == {
        "family_name": "佐藤",
        "honseki": OSAKA,
        "hittosha": "佐藤花子",
    }
    assert request.occurred_on.sort_key() == days_ago(3)
    assert request.note is not None
    assert request.note.startswith("戸籍届出通知: 婚姻 (住基法9条2項")
    assert "振り仮名は通知にないため確認してください" in request.note


@pytest.mark.parametrize(
    ("event", "stated", "expected"),
    [
        (KosekiEvent.DIVORCE, {"family_name": "鈴木", "hittosha": "鈴木一郎"}, "離婚"),
        (KosekiEvent.TRANSFER, {"honseki": OSAKA}, "転籍"),
        (KosekiEvent.NAME_CHANGE, {"given_name": "太朗"}, "氏名の変更"),
    ],
)
def test_each_filing_amends_exactly_what_the_koseki_now_states_otherwise(
    view: RegisterView, event: KosekiEvent, stated: dict[str, str], expected: str
) -> None:
    request = amend(view, notice(event, **stated))

    assert request.patch.model_dump(exclude_unset=True) == stated
    assert request.note is not None
    assert request.note.startswith(f"戸籍届出通知: {expected}")


def test_furigana_the_notice_gives_are_amended_too(view: RegisterView) -> None:
    sent = notice(KosekiEvent.MARRIAGE, family_name="佐藤", family_name_kana="サトウ")

    request = amend(view, sent)

    assert request.patch.model_dump(exclude_unset=True) == {
        "family_name": "佐藤",
        "family_name_kana": "サトウ",
    }
    assert "振り仮名" not in (request.note or "")


def test_a_notice_without_hittosha_leaves_the_recorded_one(view: RegisterView) -> None:
    request = amend(view, notice(KosekiEvent.TRANSFER, honseki=OSAKA, hittosha=None))

    assert request.patch.model_dump(exclude_unset=True) == {"honseki": OSAKA}


def test_a_notice_the_register_already_states_changes_nothing(view: RegisterView) -> None:
    with refused(NothingToChange, "記載済み"):
        amendment_for(
            notice(KosekiEvent.MARRIAGE), atena_no=ICHIRO, person=view.current[ICHIRO].person
        )


def test_an_amendment_the_register_refuses_is_refused_as_a_clerks_entry_would_be(
    view: RegisterView,
) -> None:
    tomorrow = notice(KosekiEvent.TRANSFER, honseki=OSAKA, event_date=days_ago(-1))

    with refused(RuleViolation, "未来"):
        amend(view, tomorrow)


# --- 死亡 → 職権消除 ----------------------------------------------------------------------------


def test_a_death_removes_the_person_on_the_day_of_death(view: RegisterView) -> None:
    request = death_for(
        notice(KosekiEvent.DEATH), atena_no=ICHIRO, person=view.current[ICHIRO].person
    )

    assert isinstance(request, RemovalChange)
    assert (request.kind, request.atena_nos) == (ChangeKind.DEATH, [ICHIRO])
    assert request.occurred_on.sort_key() == days_ago(3)
    assert request.notified_on is None  # the 死亡届's 届出日 is not in the notice
    [row] = plan_change(request, view)
    assert (row.person.status, row.person.removal_kind) == (RecordStatus.REMOVED, ChangeKind.DEATH)
    assert row.ex_officio, "死亡 is a 職権消除 on the 死亡届"


def test_the_death_of_someone_already_removed_changes_nothing(view: RegisterView) -> None:
    removed = view.current[ICHIRO].person.evolve(status=RecordStatus.REMOVED)

    with refused(NothingToChange, "既に消除"):
        death_for(notice(KosekiEvent.DEATH), atena_no=ICHIRO, person=removed)


# --- 出生 → 職権記載 ----------------------------------------------------------------------------


def born(**fields: Any) -> KosekiRecordNotice:
    return notice(
        KosekiEvent.BIRTH,
        **{
            "juminhyo_code": None,
            "given_name": "陽",
            "family_name_kana": "ヤマダ",
            "given_name_kana": "ヒナタ",
            "birth_date": days_ago(7).isoformat(),
            "sex": "female",
            "event_date": days_ago(5),
            "parent_juminhyo_codes": [code_of(TARO), code_of(HANAKO)],
        }
        | fields,
    )


def test_a_birth_enters_the_child_into_the_parents_household_on_the_birth_notification(
    view: RegisterView,
) -> None:
    parents = [view.current[TARO], view.current[HANAKO]]

    request = birth_for(born(), parents=parents, sent_from="東京都新宿区", received_on=TODAY)

    assert isinstance(request, EntryChange)
    assert (request.kind, request.join_household_no) == (ChangeKind.BIRTH, YAMADA)
    [child] = request.persons
    assert (child.family_name, child.given_name, child.given_name_kana) == ("山田", "陽", "ヒナタ")
    assert (child.relationship, child.honseki, child.hittosha) == ("子", HONSEKI, "山田太郎")
    assert request.occurred_on.sort_key() == child.birth_date.sort_key() == days_ago(7)
    assert koseki_basis(request, TODAY) == KosekiBasis(
        filing="出生届",
        filed_on=days_ago(5),
        accepted_on=days_ago(5),
        sent_from="東京都新宿区",
        notice_received_on=TODAY,
    )
    [row] = plan_change(request, view)
    assert (row.person.household_no, row.ex_officio) == (YAMADA, True)


def test_a_birth_without_furigana_cannot_be_recorded(view: RegisterView) -> None:
    with refused(RuleViolation, "振り仮名がありません"):
        birth_for(
            born(given_name_kana=None),
            parents=[view.current[TARO]],
            sent_from="東京都新宿区",
            received_on=TODAY,
        )


def test_a_birth_date_that_is_no_calendar_date_is_refused(view: RegisterView) -> None:
    with refused(RuleViolation, "暦にない"):
        birth_for(
            born(birth_date="2026-02-30"),
            parents=[view.current[TARO]],
            sent_from="東京都新宿区",
            received_on=TODAY,
        )


@pytest.mark.parametrize(
    ("relationships", "expected"),
    [((HEAD, "妻"), "子"), (("妻",), "妻の子"), (("子",), "孫"), (("子の妻", "子"), "子の妻の子")],
)
def test_the_newborns_relationship_follows_its_parents(
    view: RegisterView, relationships: tuple[str, ...], expected: str
) -> None:
    person = view.current[TARO].person
    parents = [person.evolve(is_head=r == HEAD, relationship=r) for r in relationships]

    assert newborn_relationship(parents) == expected


def test_a_newborn_whose_relationship_cannot_be_derived_is_left_to_the_counter(
    view: RegisterView,
) -> None:
    lodger = view.current[TARO].person.evolve(is_head=False, relationship="同居人")

    with refused(RuleViolation, "続柄"):
        newborn_relationship([lodger])


def test_a_child_entered_at_the_counter_is_known_by_name_whatever_the_variant() -> None:
    sent = born(family_name="髙橋", given_name="陽")

    assert names_the_child(sent, "高橋", "陽")
    assert names_the_child(sent, "髙橋 ", "陽")
    assert not names_the_child(sent, "高橋", "陽菜")
