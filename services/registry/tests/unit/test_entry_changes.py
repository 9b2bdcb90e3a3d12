"""記載: 国内転入, 国外転入, 出生, 職権記載, 法第30条の46転入 (spec 4.1.1, 4.2.1, 4.5.1)."""

from __future__ import annotations

from typing import Any

import pytest
from jumin_contracts.codes import HEAD, ChangeKind, ResidentType
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.addresses import WardAddress
from registry.domain.errors import NotFound, RuleViolation
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
    on,
    plan,
    refused,
    register,
)

TARO, HANAKO = atena(1), atena(2)
YAMADA = household_no(1)


@pytest.fixture
def home(addresses: PostalAddressBook) -> WardAddress:
    return addresses.parse_ward_address(HOME)


@pytest.fixture
def view(addresses: PostalAddressBook, home: WardAddress) -> RegisterView:
    return register(addresses, *family(YAMADA, home, {TARO: HEAD, HANAKO: "妻"}))


def move_in(view: RegisterView, *persons: dict[str, Any], **fields: Any) -> Any:
    """Plan a 国内転入 filed the day after the move, as a new household at HOME by default."""
    defaults: dict[str, Any] = {
        "occurred_on": days_ago(3),
        "notified_on": days_ago(2),
        "previous_address": NAKANO,
        "address": HOME,
    }
    return plan(view, ChangeKind.DOMESTIC_MOVE_IN, persons=list(persons), **(defaults | fields))


# --- 国内転入 -----------------------------------------------------------------


def test_a_family_moving_in_forms_one_new_household_at_the_address(
    view: RegisterView, home: WardAddress
) -> None:
    rows = move_in(
        view,
        newcomer(),
        newcomer("妻", given_name="花", given_name_kana="ハナ", sex="female"),
        address=NEXT_FLAT,
    )

    head, wife = (row.person for row in rows)
    assert head.household_no == wife.household_no != YAMADA
    assert (head.is_head, head.relationship) == (True, HEAD)
    assert (wife.is_head, wife.relationship) == (False, "妻")
    assert {p.address for p in (head, wife)} == {"東京都新宿区西新宿二丁目8番1号 新宿ハイツ202"}
    assert head.postal_code == "1600023"
    assert head.previous_address == NAKANO
    assert head.became_resident_on == head.address_since == on(days_ago(3))
    assert head.notified_on == days_ago(2)
    assert head.status is RecordStatus.RESIDENT
    assert len({row.atena_no for row in rows}) == 2
    assert not any(row.ex_officio for row in rows)


def test_a_person_moving_in_can_join_a_household_and_takes_its_address(
    view: RegisterView, home: WardAddress
) -> None:
    (row,) = move_in(view, newcomer("同居人"), address=None, join_household_no=YAMADA)

    assert row.person.household_no == YAMADA
    assert (row.person.is_head, row.person.relationship) == (False, "同居人")
    assert row.person.address == home.full_text
    assert row.person.address_katagaki == "新宿ハイツ101"


def test_a_foreign_resident_can_move_in_from_another_municipality(view: RegisterView) -> None:
    (row,) = move_in(view, foreign_newcomer())

    person = row.person
    assert person.resident_type is ResidentType.FOREIGN
    assert (person.nationality, person.residence_card_no) == ("ベトナム", "XY98765432ZW")
    assert person.became_foreign_resident_on == on(days_ago(3))
    assert person.became_resident_on is None
    assert person.honseki is None


def test_a_domestic_move_in_needs_the_previous_address(view: RegisterView) -> None:
    with refused(RuleViolation, "従前の住所が必要"):
        move_in(view, newcomer(), previous_address=None)


def test_a_domestic_move_in_cannot_come_from_abroad(view: RegisterView) -> None:
    with refused(RuleViolation, "従前の住所が必要"):
        move_in(view, newcomer(), previous_country="アメリカ合衆国")


def test_a_domestic_move_in_cannot_come_from_inside_the_ward(view: RegisterView) -> None:
    with refused(RuleViolation, "区内の移動は転居"):
        move_in(view, newcomer(), previous_address="東京都新宿区大久保三丁目14番4号")


def test_an_address_not_in_the_dictionary_is_refused(view: RegisterView) -> None:
    with refused(RuleViolation, "辞書にありません"):
        move_in(view, newcomer(), address="存在しない町1番1号")


def test_a_new_household_needs_exactly_one_head(view: RegisterView) -> None:
    with refused(RuleViolation, "世帯主1人と住所"):
        move_in(view, newcomer(), newcomer())
    with refused(RuleViolation, "世帯主1人と住所"):
        move_in(view, newcomer("同居人"))


def test_a_new_household_needs_an_address(view: RegisterView) -> None:
    with refused(RuleViolation, "世帯主1人と住所"):
        move_in(view, newcomer(), address=None)


def test_a_person_joining_a_household_brings_neither_a_head_nor_an_address(
    view: RegisterView,
) -> None:
    with refused(RuleViolation, "既存世帯へ入る場合"):
        move_in(view, newcomer(), address=None, join_household_no=YAMADA)
    with refused(RuleViolation, "既存世帯へ入る場合"):
        move_in(view, newcomer("同居人"), join_household_no=YAMADA)


def test_joining_an_unknown_household_is_not_found(view: RegisterView) -> None:
    with refused(NotFound, "世帯はありません"):
        move_in(view, newcomer("同居人"), address=None, join_household_no=household_no(99))


@pytest.mark.parametrize(
    ("change", "because"),
    [
        ({"family_name_kana": "Sato"}, "カナ"),
        ({"birth_date": "2026-12-01"}, "生年月日が未来"),
        ({"my_number": "621498320258"}, "個人番号の検査用数字"),
        ({"juminhyo_code": "12345678900"}, "住民票コードの検査用数字"),
        ({"relationship": "友人"}, "続柄「友人」"),
    ],
)
def test_a_newcomers_items_are_checked(
    view: RegisterView, change: dict[str, Any], because: str
) -> None:
    with refused(RuleViolation, because):
        move_in(view, newcomer(**change))


def test_a_newcomer_with_codes_from_the_move_out_certificate_keeps_them(
    view: RegisterView,
) -> None:
    (row,) = move_in(view, newcomer(my_number="621498320257", juminhyo_code="12345678903"))

    assert (row.person.my_number, row.person.juminhyo_code) == ("621498320257", "12345678903")


# --- 外国人住民の記載事項 (法第30条の45) ----------------------------------------


@pytest.mark.parametrize(
    ("details", "because"),
    [
        ({"residence_card_no": None}, "在留カード番号は英字2桁"),
        ({"residence_card_no": "AB1234567CD"}, "在留カード番号は英字2桁"),
        ({"status_of_residence": None}, "在留資格・在留期間・満了日が必要"),
        ({"stay_expires_on": "2026-11-26"}, "満了日を過ぎています"),
        (
            {"foreign_category": "special_permanent", "residence_card_no": None},
            "特別永住者証明書番号が必要",
        ),
        ({"foreign_category": "temporary_refuge"}, "在留カード番号は記載しません"),
        ({"alias": "阮安", "alias_kana": "Gen An"}, "カナ"),
    ],
)
def test_a_foreign_residents_items_must_fit_their_category(
    view: RegisterView, details: dict[str, Any], because: str
) -> None:
    person = foreign_newcomer(foreign=foreign_details(**details))
    with refused(RuleViolation, because):
        move_in(view, person)


def test_a_special_permanent_resident_is_entered_with_their_certificate(
    view: RegisterView,
) -> None:
    details = foreign_details(
        foreign_category="special_permanent",
        residence_card_no=None,
        status_of_residence=None,
        period_of_stay=None,
        stay_expires_on=None,
        special_permanent_cert_no="SP12345678AB",
    )
    (row,) = move_in(view, foreign_newcomer(foreign=details))

    assert row.person.special_permanent_cert_no == "SP12345678AB"
    assert row.person.residence_card_no is None


def test_a_foreign_resident_has_no_honseki(view: RegisterView) -> None:
    with refused(RuleViolation, "外国人住民に本籍は記載しません"):
        move_in(view, foreign_newcomer(honseki="東京都新宿区西新宿二丁目8番地"))


def test_a_foreign_resident_needs_nationality_and_category(view: RegisterView) -> None:
    with refused(RuleViolation, "国籍・区分等が必要"):
        move_in(view, foreign_newcomer(foreign=None))


def test_a_japanese_resident_has_no_foreign_items(view: RegisterView) -> None:
    with refused(RuleViolation, "日本人住民に外国人住民の記載事項"):
        move_in(view, newcomer(foreign=foreign_details()))


# --- 国外転入 / 法第30条の46転入 ------------------------------------------------


def test_a_japanese_returning_from_abroad_records_the_country_left(view: RegisterView) -> None:
    (row,) = plan(
        view,
        ChangeKind.MOVE_IN_FROM_ABROAD,
        occurred_on=days_ago(5),
        notified_on=days_ago(1),
        persons=[newcomer()],
        address=HOME,
        previous_country="アメリカ合衆国",
        previous_address="ニューヨーク州",
    )

    assert row.person.previous_address == "アメリカ合衆国 ニューヨーク州"
    assert (row.person.is_head, row.person.status) == (True, RecordStatus.RESIDENT)
    assert not row.ex_officio


def test_a_move_in_from_abroad_needs_the_country(view: RegisterView) -> None:
    with refused(RuleViolation, "従前の国・地域が必要"):
        plan(
            view,
            ChangeKind.MOVE_IN_FROM_ABROAD,
            occurred_on=days_ago(5),
            notified_on=days_ago(1),
            persons=[newcomer()],
            address=HOME,
        )


def test_japan_is_not_a_country_to_move_in_from(view: RegisterView) -> None:
    with refused(RuleViolation, "国外住所として登録できません"):
        plan(
            view,
            ChangeKind.MOVE_IN_FROM_ABROAD,
            occurred_on=days_ago(5),
            notified_on=days_ago(1),
            persons=[newcomer()],
            address=HOME,
            previous_country="日本",
        )


def test_a_foreign_resident_arriving_from_abroad_uses_article_30_46(view: RegisterView) -> None:
    fields: dict[str, Any] = {
        "occurred_on": days_ago(5),
        "notified_on": days_ago(1),
        "persons": [foreign_newcomer()],
        "address": HOME,
        "previous_country": "ベトナム",
    }
    with refused(RuleViolation, "記載できない住民の種別"):
        plan(view, ChangeKind.MOVE_IN_FROM_ABROAD, **fields)

    (row,) = plan(view, ChangeKind.FOREIGN_MOVE_IN_30_46, **fields)

    assert row.person.resident_type is ResidentType.FOREIGN
    assert row.person.previous_address == "ベトナム"
    assert row.person.status_of_residence == "留学"


def test_article_30_46_is_for_foreign_residents_only(view: RegisterView) -> None:
    with refused(RuleViolation, "記載できない住民の種別"):
        plan(
            view,
            ChangeKind.FOREIGN_MOVE_IN_30_46,
            occurred_on=days_ago(5),
            notified_on=days_ago(1),
            persons=[newcomer()],
            address=HOME,
            previous_country="ベトナム",
        )


# --- 出生 ---------------------------------------------------------------------


def birth(view: RegisterView, baby: dict[str, Any], **fields: Any) -> Any:
    defaults: dict[str, Any] = {
        "occurred_on": "2026-11-20",
        "notified_on": days_ago(1),
        "join_household_no": YAMADA,
    }
    return plan(view, ChangeKind.BIRTH, persons=[baby], **(defaults | fields))


def baby(**fields: Any) -> dict[str, Any]:
    return (
        newcomer(
            "子",
            family_name="山田",
            given_name="陽",
            family_name_kana="ヤマダ",
            given_name_kana="ヒナタ",
            birth_date="2026-11-20",
        )
        | fields
    )


def test_a_newborn_joins_the_parents_household(view: RegisterView, home: WardAddress) -> None:
    (row,) = birth(view, baby())

    person = row.person
    assert (person.household_no, person.relationship, person.is_head) == (YAMADA, "子", False)
    assert person.address == home.full_text
    assert person.became_resident_on == person.address_since == person.birth_date
    assert person.previous_address is None
    assert (person.my_number, person.juminhyo_code) == (None, None)
    assert row.ex_officio  # 職権記載 on the 出生届 (spec 4.2.1.2), not a 住民異動届


def test_a_newborn_cannot_form_a_household(view: RegisterView) -> None:
    with refused(RuleViolation, "出生者は既存の世帯に記載します"):
        birth(view, baby(relationship=HEAD), join_household_no=None, address=HOME)


def test_a_birth_happens_on_the_date_of_birth(view: RegisterView) -> None:
    with refused(RuleViolation, "出生の異動日は生年月日と同じ"):
        birth(view, baby(birth_date="2026-11-19"))


def test_a_birth_needs_an_exact_date_of_birth(view: RegisterView) -> None:
    with refused(RuleViolation, "出生の異動日は生年月日と同じ"):
        birth(view, baby(birth_date="2026年11月頃"), occurred_on="2026年11月頃")


def test_a_newborn_gets_codes_only_after_approval(view: RegisterView) -> None:
    with refused(RuleViolation, "後から付番"):
        birth(view, baby(my_number="621498320257"))
    with refused(RuleViolation, "後から付番"):
        birth(view, baby(juminhyo_code="12345678903"))


def test_a_birth_has_no_previous_address(view: RegisterView) -> None:
    with refused(RuleViolation, "出生に従前の住所はありません"):
        birth(view, baby(), previous_address=NAKANO)


def test_a_newborn_cannot_join_as_head(view: RegisterView) -> None:
    with refused(RuleViolation, "既存世帯へ入る場合"):
        birth(view, baby(relationship=HEAD))


def test_a_foreign_newborn_is_a_transitional_resident(view: RegisterView) -> None:
    details = foreign_details(
        foreign_category="transitional",
        residence_card_no=None,
        status_of_residence=None,
        period_of_stay=None,
        stay_expires_on=None,
    )
    (row,) = birth(view, foreign_newcomer("子", birth_date="2026-11-20", foreign=details))

    assert row.person.resident_type is ResidentType.FOREIGN
    assert row.person.became_foreign_resident_on == on("2026-11-20")


# --- 職権記載 -----------------------------------------------------------------


def test_an_ex_officio_entry_is_recorded_as_such_without_a_filing_date(
    view: RegisterView,
) -> None:
    (row,) = plan(
        view,
        ChangeKind.EX_OFFICIO_ENTRY,
        occurred_on="2026年10月頃",
        persons=[newcomer()],
        address=ACROSS_WARD,
    )

    assert row.ex_officio
    assert row.person.notified_on is None
    assert row.person.previous_address is None  # 住所設定: no known previous address
    assert row.person.became_resident_on == on("2026年10月頃")
    assert row.person.address == "東京都新宿区高田馬場一丁目1番1号"


def test_an_ex_officio_entry_may_record_a_previous_address(view: RegisterView) -> None:
    (row,) = plan(
        view,
        ChangeKind.EX_OFFICIO_ENTRY,
        occurred_on=days_ago(30),
        persons=[foreign_newcomer()],
        address=ACROSS_WARD,
        previous_address=NAKANO,
    )

    assert row.person.previous_address == NAKANO
    assert row.person.resident_type is ResidentType.FOREIGN
