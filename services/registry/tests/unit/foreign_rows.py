"""A foreign resident's rows as approving each kind of change appends them, for the 法務省 tests.

金 民俊, a 中長期在留者 heading a household of one; each helper returns (row before, appended row)
pairs as `project` takes them.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from jumin_contracts.check_digits import juminhyo_code_check_digit
from jumin_contracts.codes import HEAD, ChangeKind, ForeignResidentCategory, ResidentType, Sex
from jumin_contracts.dates import PartialDate
from registry.domain.model import Person, Qualifications

from .builders import atena, household_no
from .test_projection import ADDRESSES, Pair, removed, row

MOJ = "moj.municipal_notice"
KIM_ATENA = atena(77)
NAKANO = "東京都中野区中野四丁目8番1号"
SEOUL = "大韓民国 ソウル特別市鍾路区世宗大路209"

KIM = Person(
    resident_type=ResidentType.FOREIGN,
    household_no=household_no(77),
    is_head=True,
    relationship=HEAD,
    family_name="金",
    given_name="民俊",
    family_name_kana="キム",
    given_name_kana="ミンジュン",
    name_alphabet="KIM MINJUN",
    birth_date=PartialDate.from_storage("1990-07-15"),
    sex=Sex.MALE,
    address=ADDRESSES[0],
    address_since=PartialDate.from_storage("2022-04-01"),
    juminhyo_code="1234567890" + juminhyo_code_check_digit("1234567890"),
    nationality="韓国",
    foreign_category=ForeignResidentCategory.MID_LONG_TERM,
    status_of_residence="技術・人文知識・国際業務",
    period_of_stay="5年",
    stay_expires_on=date(2029, 3, 31),
    residence_card_no="AB12345678CD",
    became_foreign_resident_on=PartialDate.from_storage("2022-04-01"),
)
"""A 中長期在留者 on the register, head of a household of one."""

JAPANESE_KIM = KIM.evolve(
    resident_type=ResidentType.JAPANESE,
    **dict.fromkeys(("nationality", "name_alphabet", "foreign_category"), None),
    **dict.fromkeys(("status_of_residence", "period_of_stay", "stay_expires_on"), None),
    residence_card_no=None,
    honseki="東京都新宿区西新宿二丁目8番地",
    hittosha="金田民俊",
)


def entered(kind: ChangeKind, **items: Any) -> list[Pair]:
    return [(None, row(KIM_ATENA, KIM.evolve(**items), kind, 1))]


def changed(kind: ChangeKind, *, ex_officio: bool | None = None, **items: Any) -> list[Pair]:
    before = row(KIM_ATENA, KIM, ChangeKind.DOMESTIC_MOVE_IN, 1)
    after = row(KIM_ATENA, KIM.evolve(**items), kind, 2)
    if ex_officio is not None:
        after = dataclasses.replace(after, ex_officio=ex_officio)
    return [(before, after)]


def left(kind: ChangeKind) -> list[Pair]:
    before = row(KIM_ATENA, KIM, ChangeKind.DOMESTIC_MOVE_IN, 1)
    return [(before, row(KIM_ATENA, removed(KIM, kind), kind, 2))]


def switched(kind: ChangeKind, old: Person, new: Person) -> list[Pair]:
    """帰化・国籍喪失: the old record closed, the new one opened (two rows, one 宛名番号)."""
    before = row(KIM_ATENA, old, ChangeKind.DOMESTIC_MOVE_IN, 1)
    closed = row(KIM_ATENA, removed(old, kind), kind, 2)
    return [(before, closed), (closed, row(KIM_ATENA, new, kind, 3))]


def cancelled_move() -> list[Pair]:
    moved = row(KIM_ATENA, KIM.evolve(address=ADDRESSES[2]), ChangeKind.MOVE_WITHIN_WARD, 2)
    return [(moved, row(KIM_ATENA, KIM, ChangeKind.CANCELLATION, 3))]


def insurance_only(kind: ChangeKind) -> list[Pair]:
    return changed(kind, qualifications=Qualifications(national_health_insurance=True))
