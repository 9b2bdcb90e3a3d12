"""Persons of the synthetic ward: each member's record items, Japanese or foreign."""

from __future__ import annotations

import random
from datetime import timedelta
from functools import cache
from typing import Any

from jumin_contracts.check_digits import (
    juminhyo_code_check_digit,
    make_atena_no,
    my_number_check_digit,
)
from jumin_contracts.codes import HEAD, ForeignResidentCategory, ResidentType, Sex
from jumin_contracts.dates import PartialDate
from registry.domain.model import Person, Qualifications

from bench.synthetic_ward.dates import REFERENCE_DAY, years_old
from bench.synthetic_ward.households import Member
from bench.synthetic_ward.names import Nationality
from bench.synthetic_ward.state import Ward

_HONSEKI = (
    "東京都新宿区西新宿二丁目8番", "東京都世田谷区世田谷四丁目21番", "東京都杉並区阿佐谷南一丁目15番",
    "大阪府大阪市北区中之島一丁目3番", "北海道札幌市中央区北一条西二丁目1番地",
    "福岡県福岡市中央区天神一丁目8番", "愛知県名古屋市中区三の丸三丁目1番",
    "神奈川県横浜市中区日本大通1番地", "宮城県仙台市青葉区国分町三丁目7番",
    "広島県広島市中区基町10番", "新潟県新潟市中央区学校町通一番町602番地",
    "鹿児島県鹿児島市山下町11番",
)  # fmt: skip

# 在留資格 of a household's first member and its 在留期間; dependants get _DEPENDANT_STATUS.
_HEAD_STATUSES = {
    ("永住者", "無期限"): 0.25,
    ("留学", "4年3月"): 0.20,
    ("技術・人文知識・国際業務", "5年"): 0.22,
    ("経営・管理", "1年"): 0.05,
    ("特定技能1号", "1年"): 0.06,
    ("技能", "3年"): 0.04,
    ("日本人の配偶者等", "3年"): 0.06,
    ("定住者", "5年"): 0.04,
    ("高度専門職1号ロ", "5年"): 0.03,
}
_DEPENDANT_STATUS = {"永住者": ("永住者の配偶者等", "5年")}
_DEFAULT_DEPENDANT_STATUS = ("家族滞在", "3年")


Entered = tuple[str, Person]  # (宛名番号, the person's items before the address is set)


def build_people(
    ward: Ward, members: list[Member], nationality: Nationality | None, household_no: str
) -> list[Entered]:
    """Build each member's items; the address and entry dates are set per history row."""
    if nationality is None:
        return _japanese(ward, members, household_no)
    return _foreigners(ward, members, nationality, household_no)


def _base(ward: Ward, member: Member, household_no: str, **items: Any) -> Entered:
    """Allocate a 宛名番号 and build the items every record has."""
    ward.person_seq += 1
    seq = ward.person_seq
    person = Person(
        resident_type=items.pop("resident_type"),
        household_no=household_no,
        is_head=member.relationship == HEAD,
        relationship=member.relationship,
        birth_date=PartialDate.exact(member.birth),
        sex=member.sex,
        address="",
        address_since=PartialDate.exact(REFERENCE_DAY),
        my_number=_my_number(seq),
        juminhyo_code=_juminhyo_code(seq),
        qualifications=_qualifications(ward.rng, years_old(member.birth)),
        **items,
    )
    return make_atena_no(seq), person


def _japanese(ward: Ward, members: list[Member], household_no: str) -> list[Entered]:
    """Build a Japanese household: one 氏, one 本籍 and 筆頭者 (the head)."""
    rng = ward.rng
    family = rng.choice(ward.names.family)
    head_given = ward.names.given(rng, members[0].sex)
    honseki = rng.choice(_HONSEKI)
    people = []
    for i, member in enumerate(members):
        given = head_given if i == 0 else ward.names.given(rng, member.sex)
        people.append(
            _base(
                ward, member, household_no,
                resident_type=ResidentType.JAPANESE,
                family_name=family[0], given_name=given[0],
                family_name_kana=family[1], given_name_kana=given[1],
                honseki=honseki, hittosha=f"{family[0]}　{head_given[0]}",
                voter_registered=years_old(member.birth) >= 18,
            )
        )  # fmt: skip
    return people


def _foreigners(
    ward: Ward, members: list[Member], nationality: Nationality, household_no: str
) -> list[Entered]:
    """Build a foreign household: 国籍, 区分, 在留資格, カード番号, alphabet name; no 本籍.

    A spouse keeps their own family name; children take the head's.
    """
    rng = ward.rng
    head_family = rng.choice(nationality.family)
    special = rng.random() < nationality.special_permanent_share
    statuses = list(_HEAD_STATUSES)
    head_status = rng.choices(statuses, weights=list(_HEAD_STATUSES.values()))[0]
    dependant_status = _DEPENDANT_STATUS.get(head_status[0], _DEFAULT_DEPENDANT_STATUS)
    people = []
    for i, member in enumerate(members):
        own_family = i > 0 and member.relationship != "子"
        family = rng.choice(nationality.family) if own_family else head_family
        given = rng.choice(nationality.male if member.sex is Sex.MALE else nationality.female)
        ward.foreign_seq += 1
        ward.out.foreign_residents += 1
        items = _residence_items(
            rng, ward.foreign_seq, head_status if i == 0 else dependant_status, special=special
        )
        people.append(
            _base(
                ward, member, household_no,
                resident_type=ResidentType.FOREIGN,
                family_name=family[0], given_name=given[0].replace("_", " "),
                family_name_kana=family[1], given_name_kana=given[1],
                name_alphabet=f"{family[2]} {given[2].replace('_', ' ')}",
                nationality=nationality.name,
                **items,
            )
        )  # fmt: skip
    return people


def _residence_items(
    rng: random.Random, seq: int, status: tuple[str, str], *, special: bool
) -> dict[str, object]:
    """Return 区分, 在留資格, 在留期間, 満了日 and the card or certificate number."""
    number = _card_number(rng, seq)
    if special:
        return {
            "foreign_category": ForeignResidentCategory.SPECIAL_PERMANENT,
            "special_permanent_cert_no": number,
        }
    return {
        "foreign_category": ForeignResidentCategory.MID_LONG_TERM,
        "status_of_residence": status[0],
        "period_of_stay": status[1],
        "stay_expires_on": REFERENCE_DAY + timedelta(days=rng.randint(30, 5 * 365)),
        "residence_card_no": number,
    }


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _card_number(rng: random.Random, seq: int) -> str:
    """Return a 在留カード番号 shape (AB12345678CD), unique by its digits."""
    digits = (seq * 7919 + 12_345_678) % 10**8
    a, b, c, d = rng.choices(_LETTERS, k=4)
    return f"{a}{b}{digits:08d}{c}{d}"


def _my_number(seq: int) -> str:
    """Return a unique 個人番号 with its check digit (an affine bijection of the sequence)."""
    body = f"{(seq * 1_618_033_989 + 57_721_566_490) % 10**11:011d}"
    return body + my_number_check_digit(body)


def _juminhyo_code(seq: int) -> str:
    """Return a unique 住民票コード with its check digit."""
    body = f"{(seq * 3_141_592_653 + 2_718_281_828) % 10**10:010d}"
    return body + juminhyo_code_check_digit(body)


@cache
def _qualification_set(*flags: bool) -> Qualifications:
    """Share one Qualifications value per combination of flags."""
    return Qualifications(
        national_health_insurance=flags[0],
        late_elderly_insurance=flags[1],
        long_term_care_insurance=flags[2],
        national_pension=flags[3],
        child_allowance=flags[4],
    )


def _qualifications(rng: random.Random, age: int) -> Qualifications:
    """Draw 国保・後期高齢・介護・国民年金・児童手当 plausible for an age."""
    return _qualification_set(
        65 <= age < 75 or (age < 65 and rng.random() < 0.25),
        age >= 75,
        age >= 65,
        20 <= age < 60 and rng.random() < 0.3,
        27 <= age < 50 and rng.random() < 0.2,
    )
