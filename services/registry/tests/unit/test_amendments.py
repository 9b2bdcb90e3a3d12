"""修正: 職権修正, 誤記修正, 軽微な修正, 法第30条の47届出, 帰化, 国籍喪失 (spec 4.2.3, 4.5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from jumin_contracts.codes import HEAD, ChangeKind, ForeignResidentCategory, ResidentType
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.errors import NotFound, RuleViolation, StateConflict
from registry.domain.model import Qualifications, RecordStatus
from registry.domain.planning import RegisterView

from .builders import (
    HOME,
    atena,
    days_ago,
    foreign_details,
    household_no,
    on,
    plan,
    refused,
    register,
    resident,
)

TARO, HANAKO, MINJUN, GONE, VOIDED = atena(1), atena(2), atena(3), atena(4), atena(5)
YAMADA = household_no(1)


@pytest.fixture
def view(addresses: PostalAddressBook) -> RegisterView:
    """A Japanese head, his Japanese wife and a foreign lodger; one removed and one void record."""
    home = addresses.parse_ward_address(HOME)
    return register(
        addresses,
        resident(TARO, household=YAMADA, at=home),
        resident(HANAKO, household=YAMADA, at=home, relationship="妻", given_name="花子"),
        resident(MINJUN, household=YAMADA, at=home, relationship="同居人", foreign=True),
        resident(GONE, household=YAMADA, at=home, relationship="子", status=RecordStatus.REMOVED),
        resident(VOIDED, household=YAMADA, at=home, relationship="子", status=RecordStatus.VOID),
    )


def amend(view: RegisterView, kind: ChangeKind, atena_no: str, **patch: Any) -> Any:
    return plan(view, kind, occurred_on=days_ago(1), atena_no=atena_no, patch=patch)


# --- 職権修正・誤記修正 ---------------------------------------------------------


@pytest.mark.parametrize("kind", [ChangeKind.EX_OFFICIO_AMENDMENT, ChangeKind.CLERICAL_CORRECTION])
def test_a_correction_changes_the_named_items_only(view: RegisterView, kind: ChangeKind) -> None:
    before = view.current[HANAKO].person

    (row,) = amend(view, kind, HANAKO, family_name="髙田", family_name_kana="タカダ")

    assert row.atena_no == HANAKO
    assert (row.person.family_name, row.person.family_name_kana) == ("髙田", "タカダ")
    assert row.person.given_name == before.given_name
    assert (row.person.household_no, row.person.relationship) == (YAMADA, "妻")
    assert row.person.status is RecordStatus.RESIDENT
    assert row.ex_officio


def test_a_date_of_birth_can_be_corrected(view: RegisterView) -> None:
    (row,) = amend(view, ChangeKind.CLERICAL_CORRECTION, TARO, birth_date="昭和55年4月2日")

    assert row.person.birth_date == on("1980-04-02")
    assert row.person.birth_date.format_wareki() == "昭和55年4月2日"


def test_qualifications_are_replaced_as_a_whole(view: RegisterView) -> None:
    (row,) = amend(
        view,
        ChangeKind.EX_OFFICIO_AMENDMENT,
        TARO,
        qualifications={"national_health_insurance": True, "national_pension": True},
    )

    assert row.person.qualifications == Qualifications(
        national_health_insurance=True, national_pension=True
    )


def test_an_item_can_be_cleared(view: RegisterView) -> None:
    (row,) = amend(view, ChangeKind.EX_OFFICIO_AMENDMENT, MINJUN, alias=None, alias_kana=None)

    assert (row.person.alias, row.person.alias_kana) == (None, None)


@pytest.mark.parametrize(
    "item",
    [
        "family_name",
        "given_name_kana",
        "birth_date",
        "sex",
        "voter_registered",
        "qualifications",
    ],
)
def test_an_item_every_record_has_cannot_be_cleared(view: RegisterView, item: str) -> None:
    with refused(RuleViolation, "空にできません"):
        amend(view, ChangeKind.EX_OFFICIO_AMENDMENT, TARO, **{item: None})


def test_a_removed_record_can_still_be_corrected(view: RegisterView) -> None:
    (row,) = amend(view, ChangeKind.CLERICAL_CORRECTION, GONE, given_name="一郎")

    assert row.person.given_name == "一郎"
    assert row.person.status is RecordStatus.REMOVED


@pytest.mark.parametrize("atena_no", [VOIDED, atena(99)])
def test_a_void_or_unknown_record_cannot_be_corrected(view: RegisterView, atena_no: str) -> None:
    with refused(NotFound, "住民はいません"):
        amend(view, ChangeKind.CLERICAL_CORRECTION, atena_no, given_name="一郎")


def test_a_correction_must_change_something(view: RegisterView) -> None:
    with refused(RuleViolation, "変更する項目がありません"):
        amend(view, ChangeKind.EX_OFFICIO_AMENDMENT, HANAKO, given_name="花子")
    with refused(RuleViolation, "変更する項目がありません"):
        amend(view, ChangeKind.EX_OFFICIO_AMENDMENT, HANAKO)


@pytest.mark.parametrize(
    ("atena_no", "patch", "because"),
    [
        (TARO, {"given_name_kana": "taro"}, "カナ"),
        (TARO, {"birth_date": "2026-11-28"}, "生年月日が未来"),
        (TARO, {"alias": "ヤマちゃん"}, "日本人住民に国籍・通称"),
        (TARO, {"nationality": "韓国"}, "日本人住民に国籍・通称"),
        (MINJUN, {"honseki": "東京都新宿区西新宿二丁目8番地"}, "外国人住民に本籍"),
        (MINJUN, {"alias_kana": "kaneda"}, "カナ"),
    ],
)
def test_a_corrected_record_must_still_be_valid(
    view: RegisterView, atena_no: str, patch: dict[str, Any], because: str
) -> None:
    with refused(RuleViolation, because):
        amend(view, ChangeKind.EX_OFFICIO_AMENDMENT, atena_no, **patch)


# --- 軽微な修正 -----------------------------------------------------------------


def test_a_minor_correction_of_the_katagaki_changes_the_printed_address(
    view: RegisterView,
) -> None:
    (row,) = amend(view, ChangeKind.MINOR_CORRECTION, TARO, address_katagaki="新宿ハイム101")

    assert row.person.address_katagaki == "新宿ハイム101"
    assert row.person.address == "東京都新宿区西新宿二丁目8番1号 新宿ハイム101"
    assert row.ex_officio


def test_a_minor_correction_can_remove_the_katagaki(view: RegisterView) -> None:
    (row,) = amend(view, ChangeKind.MINOR_CORRECTION, TARO, address_katagaki=None)

    assert row.person.address_katagaki is None
    assert row.person.address == "東京都新宿区西新宿二丁目8番1号"


@pytest.mark.parametrize(
    "patch",
    [
        {"postal_code": "1630890"},
        {"voter_registered": True},
        {"qualifications": {"child_allowance": True}},
    ],
)
def test_a_minor_correction_may_change_postal_code_voter_and_qualifications(
    view: RegisterView, patch: dict[str, Any]
) -> None:
    (row,) = amend(view, ChangeKind.MINOR_CORRECTION, TARO, **patch)

    assert row.person.address == view.current[TARO].person.address
    assert row.person != view.current[TARO].person


@pytest.mark.parametrize(
    "patch",
    [
        {"family_name_kana": "ヤマタ"},
        {"birth_date": "1980-04-02"},
        {"sex": "female"},
        {"honseki": "大阪府大阪市北区梅田一丁目1番地"},
        {"address_katagaki": "新宿ハイム101", "sex": "female"},
    ],
)
def test_a_minor_correction_may_not_touch_other_items(
    view: RegisterView, patch: dict[str, Any]
) -> None:
    with refused(RuleViolation, "軽微な修正で変更できるのは"):
        amend(view, ChangeKind.MINOR_CORRECTION, TARO, **patch)


@pytest.mark.parametrize(
    ("item", "old", "new"),
    [
        ("family_name", "髙田", "高田"),  # 常用平易な文字への変更 (Unihan: semantic variants)
        ("family_name", "﨑山", "崎山"),  # CJK互換漢字 → 常用の字
        ("family_name", "葛\U000e0100城", "葛城"),  # 文字の同定: the IVS 字形 of the same 葛
        ("alias", "金田民俊", "金田民俊"),  # nothing to reword
    ],
)
def test_a_minor_correction_may_reword_a_name_in_the_same_characters(
    addresses: PostalAddressBook, item: str, old: str, new: str
) -> None:
    home = addresses.parse_ward_address(HOME)
    lodger = resident(MINJUN, household=YAMADA, at=home, foreign=True)
    person = replace(lodger, person=lodger.person.evolve(**{item: old}))
    view = register(addresses, person)
    if old == new:
        with refused(RuleViolation, "変更する項目がありません"):
            amend(view, ChangeKind.MINOR_CORRECTION, MINJUN, **{item: new})
        return

    (row,) = amend(view, ChangeKind.MINOR_CORRECTION, MINJUN, **{item: new})

    assert getattr(row.person, item) == new
    assert row.person.family_name_kana == person.person.family_name_kana
    assert row.ex_officio


@pytest.mark.parametrize(
    "patch",
    [
        {"family_name": "髙田"},  # 山 and 髙 are different characters: a new name
        {"given_name": "太朗"},  # 郎 and 朗 are not variants
        {"given_name": "太郎左"},  # a character more
        {"family_name": "山"},  # a character less
        {"former_surname": "田中"},  # from none to a value is no wording
    ],
)
def test_a_minor_correction_refuses_a_name_that_changes_meaning(
    view: RegisterView, patch: dict[str, Any]
) -> None:
    with refused(RuleViolation, "の軽微な修正は同じ文字の字体・表記の修正に限ります"):
        amend(view, ChangeKind.MINOR_CORRECTION, TARO, **patch)


def test_a_minor_correction_rewords_the_address_of_the_whole_household(
    view: RegisterView,
) -> None:
    rows = amend(view, ChangeKind.MINOR_CORRECTION, HANAKO, address="西新宿２丁目８－１")

    assert {row.atena_no for row in rows} == {TARO, HANAKO, MINJUN}  # not the removed GONE
    for row in rows:
        assert row.person.address == "東京都新宿区西新宿二丁目8-1 新宿ハイツ101"
        assert row.person.address_katagaki == "新宿ハイツ101"  # kept: the new text names none
        assert row.person.address_town_code == view.current[TARO].person.address_town_code
        assert row.ex_officio


def test_a_reworded_address_may_carry_a_new_katagaki(view: RegisterView) -> None:
    rows = amend(view, ChangeKind.MINOR_CORRECTION, TARO, address="西新宿2-8-1 新宿ハイム101")

    assert {row.person.address for row in rows} == {"東京都新宿区西新宿二丁目8-1 新宿ハイム101"}


@pytest.mark.parametrize(
    "address", ["西新宿二丁目8番2号 新宿ハイツ101", "西新宿一丁目8番1号", "高田馬場一丁目8番1号"]
)
def test_a_minor_correction_refuses_an_address_that_names_another_place(
    view: RegisterView, address: str
) -> None:
    with refused(RuleViolation, "住所の修正は同じ場所の表記の修正"):
        amend(view, ChangeKind.MINOR_CORRECTION, TARO, address=address)


@pytest.mark.parametrize("kind", [ChangeKind.EX_OFFICIO_AMENDMENT, ChangeKind.CLERICAL_CORRECTION])
def test_an_address_is_reworded_only_by_a_minor_correction(
    view: RegisterView, kind: ChangeKind
) -> None:
    with refused(RuleViolation, "住所の表記は軽微な修正で改めます"):
        amend(view, kind, TARO, address="西新宿2-8-1 新宿ハイツ101")


def test_a_removed_record_gets_no_minor_correction(view: RegisterView) -> None:
    with refused(StateConflict, "除票に軽微な修正はできません"):
        amend(view, ChangeKind.MINOR_CORRECTION, GONE, voter_registered=True)


# --- 法第30条の47届出 -------------------------------------------------------------


def residence(view: RegisterView, atena_no: str, **details: Any) -> Any:
    return plan(
        view,
        ChangeKind.RESIDENCE_STATUS_30_47,
        occurred_on=days_ago(3),
        notified_on=days_ago(1),
        atena_no=atena_no,
        foreign=foreign_details(**details),
    )


def test_a_new_status_of_residence_is_recorded_as_filed(view: RegisterView) -> None:
    (row,) = residence(
        view,
        MINJUN,
        nationality="韓国",
        name_alphabet="KIM MINJUN",
        status_of_residence="永住者",
        period_of_stay="無期限",
        stay_expires_on="2033-03-31",
        residence_card_no="CD87654321EF",
    )

    person = row.person
    assert (person.status_of_residence, person.residence_card_no) == ("永住者", "CD87654321EF")
    assert person.stay_expires_on == date(2033, 3, 31)
    assert (person.household_no, person.relationship, person.address) == (
        YAMADA,
        "同居人",
        view.current[MINJUN].person.address,
    )
    assert not row.ex_officio


def test_a_japanese_resident_has_no_status_of_residence(view: RegisterView) -> None:
    with refused(StateConflict, "対象ではない住民"):
        residence(view, TARO)


def test_the_same_status_again_changes_nothing(view: RegisterView) -> None:
    current = view.current[MINJUN].person
    with refused(RuleViolation, "変更する項目がありません"):
        residence(
            view,
            MINJUN,
            nationality=current.nationality,
            name_alphabet=current.name_alphabet,
            status_of_residence=current.status_of_residence,
            period_of_stay=current.period_of_stay,
            stay_expires_on=current.stay_expires_on,
            residence_card_no=current.residence_card_no,
            alias=current.alias,
            alias_kana=current.alias_kana,
        )


def test_an_expired_status_is_refused(view: RegisterView) -> None:
    with refused(RuleViolation, "満了日を過ぎています"):
        residence(view, MINJUN, stay_expires_on=days_ago(1))


def test_a_removed_foreign_resident_gets_no_new_status_of_residence(
    addresses: PostalAddressBook,
) -> None:
    home = addresses.parse_ward_address(HOME)
    gone = resident(MINJUN, household=YAMADA, at=home, foreign=True, status=RecordStatus.REMOVED)
    with refused(StateConflict, "既に消除されています"):
        residence(register(addresses, gone), MINJUN)


# --- 帰化 -----------------------------------------------------------------------


def naturalize(view: RegisterView, atena_no: str, **names: Any) -> Any:
    fields = {
        "family_name": "金田",
        "given_name": "民俊",
        "family_name_kana": "カネダ",
        "given_name_kana": "ミントシ",
        "honseki": "東京都新宿区西新宿二丁目8番地",
        "hittosha": "金田民俊",
    } | names
    return plan(
        view, ChangeKind.NATURALIZATION, occurred_on=days_ago(10), atena_no=atena_no, **fields
    )


def test_naturalization_closes_the_foreign_record_and_opens_a_japanese_one(
    view: RegisterView,
) -> None:
    before = view.current[MINJUN].person

    closed, opened = naturalize(view, MINJUN)

    assert closed.atena_no == opened.atena_no == MINJUN
    assert closed.person.status is RecordStatus.REMOVED
    assert closed.person.removal_kind is ChangeKind.NATURALIZATION
    assert closed.person.removed_on == on(days_ago(10))
    assert closed.person.resident_type is ResidentType.FOREIGN

    new = opened.person
    assert new.status is RecordStatus.RESIDENT
    assert new.removed_on is None
    assert new.resident_type is ResidentType.JAPANESE
    assert (new.family_name, new.honseki, new.hittosha) == (
        "金田",
        "東京都新宿区西新宿二丁目8番地",
        "金田民俊",
    )
    assert (new.nationality, new.residence_card_no, new.alias, new.name_alphabet) == (None,) * 4
    kept = ("address", "address_katagaki", "household_no", "relationship", "my_number")
    assert all(getattr(new, item) == getattr(before, item) for item in kept)
    assert new.juminhyo_code == before.juminhyo_code
    assert (new.birth_date, new.sex) == (before.birth_date, before.sex)
    assert (closed.ex_officio, opened.ex_officio) == (True, True)
    # spec 4.5.3: 外国人住民となった年月日 is carried over as 住民となった日
    assert new.became_resident_on == before.became_foreign_resident_on
    assert new.became_foreign_resident_on is None


def test_a_naturalized_head_stays_head(addresses: PostalAddressBook) -> None:
    home = addresses.parse_ward_address(HOME)
    view = register(addresses, resident(MINJUN, household=YAMADA, at=home, foreign=True))

    _, opened = naturalize(view, MINJUN)

    assert (opened.person.is_head, opened.person.relationship) == (True, HEAD)


def test_only_a_foreign_resident_naturalizes(view: RegisterView) -> None:
    with refused(StateConflict, "対象ではない住民"):
        naturalize(view, TARO)


def test_the_new_names_furigana_must_be_kana(view: RegisterView) -> None:
    with refused(RuleViolation, "カナ"):
        naturalize(view, MINJUN, family_name_kana="Kaneda")


# --- 国籍喪失 -------------------------------------------------------------------


def lose_nationality(view: RegisterView, atena_no: str, **details: Any) -> Any:
    transitional = foreign_details(
        nationality="アメリカ合衆国",
        name_alphabet="YAMADA HANAKO",
        foreign_category="transitional",
        residence_card_no=None,
        status_of_residence=None,
        period_of_stay=None,
        stay_expires_on=None,
    )
    return plan(
        view,
        ChangeKind.LOSS_OF_NATIONALITY,
        occurred_on=days_ago(20),
        atena_no=atena_no,
        foreign=transitional | details,
    )


def test_loss_of_nationality_closes_the_japanese_record_and_opens_a_foreign_one(
    view: RegisterView,
) -> None:
    before = view.current[HANAKO].person

    closed, opened = lose_nationality(view, HANAKO)

    assert closed.atena_no == opened.atena_no == HANAKO
    assert closed.person.status is RecordStatus.REMOVED
    assert closed.person.removal_kind is ChangeKind.LOSS_OF_NATIONALITY
    assert closed.person.honseki == before.honseki  # the closed record is kept as it was

    new = opened.person
    assert new.status is RecordStatus.RESIDENT
    assert new.resident_type is ResidentType.FOREIGN
    assert (new.nationality, new.foreign_category) == (
        "アメリカ合衆国",
        ForeignResidentCategory.TRANSITIONAL,
    )
    assert (new.honseki, new.hittosha, new.became_resident_on) == (None, None, None)
    # spec 4.5.5: the later of 国籍を失った日 and 住民となった日 (2020-04-01 here)
    assert new.became_foreign_resident_on == on(days_ago(20))
    kept = ("address", "address_since", "household_no", "relationship", "my_number")
    assert all(getattr(new, item) == getattr(before, item) for item in kept)
    assert new.juminhyo_code == before.juminhyo_code
    assert (closed.ex_officio, opened.ex_officio) == (True, True)


def test_loss_of_nationality_before_becoming_resident_keeps_the_resident_date(
    view: RegisterView,
) -> None:
    before = view.current[HANAKO].person
    assert before.became_resident_on == on("2020-04-01")

    _, opened = plan(
        view,
        ChangeKind.LOSS_OF_NATIONALITY,
        occurred_on="2019-06-01",
        atena_no=HANAKO,
        foreign=foreign_details(
            nationality="アメリカ合衆国",
            name_alphabet="YAMADA HANAKO",
            foreign_category="transitional",
            residence_card_no=None,
            status_of_residence=None,
            period_of_stay=None,
            stay_expires_on=None,
        ),
    )

    assert opened.person.became_foreign_resident_on == on("2020-04-01")


def test_only_a_japanese_resident_loses_japanese_nationality(view: RegisterView) -> None:
    with refused(StateConflict, "対象ではない住民"):
        lose_nationality(view, MINJUN)


def test_the_new_foreign_items_must_fit_the_category(view: RegisterView) -> None:
    with refused(RuleViolation, "在留カード番号は英字2桁"):
        lose_nationality(view, HANAKO, foreign_category="mid_long_term")
