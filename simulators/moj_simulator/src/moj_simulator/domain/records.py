"""The ministry's record of the foreign residents it knows, and a notice collated with it.

The real 出入国在留管理庁 holds every 在留カード it issued; the simulator holds a few, seeded
through `/sim/residents`, learned from notices (unless strict) and changed by 長官通知.
"""

from __future__ import annotations

from dataclasses import dataclass

from jumin_contracts.codes import ForeignResidentCategory
from jumin_simulator.formats import Name, Sex, WireDate
from pydantic import Field

from moj_simulator.domain.formats import CardNo, NationalityCode
from moj_simulator.domain.notices import NoticeBody, WireModel

COLLATED = ("name_alphabet", "birth_date", "sex", "nationality")
"""Items a notice must share with the record of its card (氏名 only when both have one)."""


class Resident(WireModel):
    """One foreign resident as the ministry's record has them, by card number."""

    card_no: CardNo = Field(description="在留カード番号 / 特別永住者証明書番号")
    name_alphabet: Name | None = None
    birth_date: WireDate
    sex: Sex
    nationality: NationalityCode
    foreign_category: ForeignResidentCategory = ForeignResidentCategory.MID_LONG_TERM
    status_of_residence: Name | None = None
    period_of_stay: Name | None = None
    stay_expires_on: WireDate | None = None
    replaced_by: CardNo | None = Field(
        default=None, description="the newer card number after a 再交付・切替 (this one is void)"
    )

    @classmethod
    def learned(cls, card_no: str, body: NoticeBody) -> Resident:
        """The record made from a notice about a card the ministry did not hold."""
        items = body.model_dump(include={*COLLATED, *_STAY, "foreign_category"})
        return cls(card_no=card_no, **items)


_STAY = {"status_of_residence", "period_of_stay", "stay_expires_on"}


@dataclass(frozen=True)
class Outcome:
    """A processing result: 正常 (no code) or an error code and the items it concerns."""

    error_code: str | None = None
    error_items: tuple[str, ...] = ()


def collate(record: Resident | None, body: NoticeBody, *, strict: bool) -> Outcome:
    """Compare a notice with the record of its card number (no card: nothing to compare)."""
    card_no = body.card_no
    if card_no is None:
        return Outcome()
    if record is None:
        return Outcome("R-CARD-UNKNOWN", (_card_item(body),)) if strict else Outcome()
    if record.replaced_by is not None:
        return Outcome("R-CARD-REPLACED", (_card_item(body),))
    differing = tuple(name for name in COLLATED if _differs(record, body, name))
    return Outcome("R-PERSON-MISMATCH", differing) if differing else Outcome()


def _differs(record: Resident, body: NoticeBody, name: str) -> bool:
    mine, theirs = getattr(record, name), getattr(body, name)
    if name == "name_alphabet" and (mine is None or theirs is None):
        return False
    return bool(mine != theirs)


def _card_item(body: NoticeBody) -> str:
    return "residence_card_no" if body.residence_card_no else "special_permanent_cert_no"
