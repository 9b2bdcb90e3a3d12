"""Made-up foreign residents (外国人住民, 法第30条の45) for the 法務省 link's end-to-end tests.

Each has a distinctive alphabetic name, a random 在留カード番号 and the items of a 中長期在留者; the
bodies are the registry's (POST /changes): 法第30条の46転入, 世帯変更, 国外転出, 転居.
`secrets` lists what must never appear in a log or span (the 在留カード番号 among them).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .people import juminhyo_code, my_number, ward_address

#: (氏, 名, their katakana) as entered at the counter, and the alphabet spelling on the 在留カード
NAMES = (
    ("グエン", "ティ ホア", "グエン", "ティホア", "NGUYEN", "THI HOA"),
    ("チャン", "ヴァン ロン", "チャン", "ヴァンロン", "TRAN", "VAN LONG"),
    ("シュレスタ", "ビカシュ", "シュレスタ", "ビカシュ", "SHRESTHA", "BIKASH"),
    ("サントス", "マリアナ", "サントス", "マリアナ", "SANTOS", "MARIANA"),
)
#: 国籍・地域 as the registry holds it → the code the 連携サーバ takes (INTERFACE.md assumption 3)
NATIONALITIES = {"ベトナム": "VNM", "ネパール": "NPL", "ブラジル": "BRA", "フィリピン": "PHL"}
STATUS = "技術・人文知識・国際業務"
PERIOD = "5年"

_rng = random.SystemRandom()


def residence_card_no() -> str:
    """A random 在留カード番号 (two letters, eight digits, two letters)."""
    letters = string.ascii_uppercase
    digits = "".join(_rng.choice(string.digits) for _ in range(8))
    return f"{_rng.choice(letters)}{_rng.choice(letters)}{digits}{_rng.choice(letters)}{_rng.choice(letters)}"


def _tag() -> str:
    """Three random capitals: makes a made-up name rare enough that a leak can only be a leak."""
    return "".join(_rng.choice(string.ascii_uppercase) for _ in range(3))


@dataclass(frozen=True)
class Foreigner:
    """One 中長期在留者 as entered at the counter."""

    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    name_alphabet: str
    birth_date: date
    sex: str
    nationality: str
    relationship: str = "世帯主"
    status_of_residence: str = STATUS
    period_of_stay: str = PERIOD
    stay_expires_on: date = field(default_factory=lambda: date.today() + timedelta(days=900))
    residence_card_no: str = field(default_factory=residence_card_no)
    juminhyo_code: str = field(default_factory=juminhyo_code)
    my_number: str = field(default_factory=my_number)

    @property
    def nationality_code(self) -> str:
        return NATIONALITIES[self.nationality]

    def details(self) -> dict[str, Any]:
        """外国人住民の記載事項 (ForeignDetails)."""
        return {
            "nationality": self.nationality,
            "name_alphabet": self.name_alphabet,
            "foreign_category": "mid_long_term",
            "status_of_residence": self.status_of_residence,
            "period_of_stay": self.period_of_stay,
            "stay_expires_on": self.stay_expires_on.isoformat(),
            "residence_card_no": self.residence_card_no,
        }

    def entry(self) -> dict[str, Any]:
        """The person as a NewPerson of a 記載."""
        return {
            "resident_type": "foreign",
            "family_name": self.family_name,
            "given_name": self.given_name,
            "family_name_kana": self.family_name_kana,
            "given_name_kana": self.given_name_kana,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "relationship": self.relationship,
            "foreign": self.details(),
            "juminhyo_code": self.juminhyo_code,
            "my_number": self.my_number,
        }

    @property
    def secrets(self) -> list[str]:
        """Strings that identify the person: none may appear in a log or a span."""
        return [
            f"{self.family_name}{self.given_name}",
            self.name_alphabet,
            self.birth_date.isoformat(),
            self.birth_date.strftime("%Y%m%d"),
            self.residence_card_no,
            self.juminhyo_code,
            self.my_number,
        ]


def foreigner(*, relationship: str = "世帯主", nationality: str | None = None) -> Foreigner:
    """A made-up adult 中長期在留者 with a name no one else has."""
    family, given, family_kana, given_kana, family_alpha, given_alpha = _rng.choice(NAMES)
    tag = _tag()
    return Foreigner(
        family_name=family,
        given_name=given,
        family_name_kana=family_kana,
        given_name_kana=given_kana,
        name_alphabet=f"{family_alpha} {given_alpha} {tag}",
        birth_date=date(_rng.randint(1970, 2002), _rng.randint(1, 12), _rng.randint(1, 28)),
        sex=_rng.choice(("male", "female")),
        nationality=nationality or _rng.choice(tuple(NATIONALITIES)),
        relationship=relationship,
    )


def move_in_30_46(
    people: list[Foreigner], *, on: date, address: str | None = None
) -> dict[str, Any]:
    """法第30条の46転入 (a new household: the first person its head), 届出 the same day."""
    return {
        "kind": "foreign_move_in_30_46",
        "occurred_on": on.isoformat(),
        "notified_on": on.isoformat(),
        "persons": [p.entry() for p in people],
        "address": address or ward_address(),
    }


def household_transfer(
    atena_nos: list[str], into_household_no: str, relationships: dict[str, str], on: date
) -> dict[str, Any]:
    """世帯変更: members move into another household at the same address."""
    return {
        "kind": "household_transfer",
        "occurred_on": on.isoformat(),
        "notified_on": on.isoformat(),
        "atena_nos": atena_nos,
        "into_household_no": into_household_no,
        "relationships": relationships,
    }


def move_out_abroad(atena_nos: list[str], *, on: date, notified_on: date) -> dict[str, Any]:
    """国外転出 with its 転出予定日 (`on`, may be ahead) and 転出先の国・地域."""
    return {
        "kind": "move_out_abroad",
        "occurred_on": on.isoformat(),
        "notified_on": notified_on.isoformat(),
        "atena_nos": atena_nos,
        "destination_country": "ベトナム",
    }
