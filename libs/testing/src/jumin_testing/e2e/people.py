"""Made-up residents for the slice: distinctive names, valid numbers, addresses in 新宿区.

Names are rare enough that finding one in a log or a span file can only mean it leaked; each
`Person` lists the strings that must never appear there (`secrets`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from jumin_contracts.check_digits import juminhyo_code_check_digit, my_number_check_digit

FAMILY_NAMES = (
    ("勘解由小路", "カデノコウジ"),
    ("五百旗頭", "イオキベ"),
    ("小鳥遊", "タカナシ"),
    ("月見里", "ヤマナシ"),
    ("百目鬼", "ドウメキ"),
    ("御手洗", "ミタライ"),
    ("東海林", "ショウジ"),
    ("薬袋", "ミナイ"),
    ("四十物", "アイモノ"),
    ("雲母", "キララ"),
    ("鬼頭", "キトウ"),
    ("躑躅森", "ツツジモリ"),
)
GIVEN_NAMES = {
    "male": (("蒼真", "ソウマ"), ("颯太", "ソウタ"), ("琥太郎", "コタロウ"), ("瑛士", "エイジ")),
    "female": (("綾音", "アヤネ"), ("柚葉", "ユズハ"), ("瑠璃子", "ルリコ"), ("詩織", "シオリ")),
}
TOWNS = ("西新宿二丁目", "大久保三丁目", "高田馬場一丁目", "四谷一丁目", "北新宿四丁目")
WARD = "東京都新宿区"
PREVIOUS_ADDRESS = "埼玉県川口市本町一丁目1番1号"
DESTINATIONS = ("東京都中野区中野四丁目8番1号", "東京都杉並区阿佐谷南一丁目15番1号")
HONSEKI_IN_WARD = "東京都新宿区西新宿二丁目8番地"

_rng = random.SystemRandom()


def juminhyo_code() -> str:
    """A random valid 住民票コード (10 digits + check digit)."""
    body = "".join(_rng.choice("0123456789") for _ in range(10))
    return body + juminhyo_code_check_digit(body)


def my_number() -> str:
    """A random valid 個人番号 (11 digits + check digit), never starting with 0."""
    body = str(_rng.randint(1, 9)) + "".join(_rng.choice("0123456789") for _ in range(10))
    return body + my_number_check_digit(body)


def ward_address() -> str:
    """A 新宿区 address (without 東京都新宿区) unlikely to be anyone else's."""
    return f"{_rng.choice(TOWNS)}{_rng.randint(2, 29)}番{_rng.randint(2, 29)}号"


def cs_date(day: date) -> str:
    """年月日 in CS form (YYYYMMDD)."""
    return day.strftime("%Y%m%d")


@dataclass(frozen=True)
class Person:
    """One resident as entered at the counter."""

    family_name: str
    family_name_kana: str
    given_name: str
    given_name_kana: str
    birth_date: date
    sex: str
    relationship: str
    juminhyo_code: str | None = field(default_factory=juminhyo_code)
    my_number: str | None = field(default_factory=my_number)
    #: 本籍 and 筆頭者 as the 戸籍 shows them (筆頭者 None: the household head's name)
    honseki: str = HONSEKI_IN_WARD
    hittosha: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.family_name}{self.given_name}"

    def entry(self, *, hittosha: str | None = None) -> dict[str, Any]:
        """The person as a NewPerson of a 記載 (POST /changes); 筆頭者 theirs, else `hittosha`,
        else themselves."""
        body: dict[str, Any] = {
            "resident_type": "japanese",
            "family_name": self.family_name,
            "given_name": self.given_name,
            "family_name_kana": self.family_name_kana,
            "given_name_kana": self.given_name_kana,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "relationship": self.relationship,
            "honseki": self.honseki,
            "hittosha": self.hittosha or hittosha or self.full_name,
        }
        if self.juminhyo_code:
            body["juminhyo_code"] = self.juminhyo_code
        if self.my_number:
            body["my_number"] = self.my_number
        return body

    def cs_identity(self, address: str) -> dict[str, Any]:
        """The 本人確認情報 items CS should hold for the person, in CS form."""
        return {
            "juminhyo_code": self.juminhyo_code,
            "my_number": self.my_number,
            "family_name": self.family_name,
            "given_name": self.given_name,
            "family_name_kana": self.family_name_kana,
            "given_name_kana": self.given_name_kana,
            "birth_date": cs_date(self.birth_date),
            "sex": "1" if self.sex == "male" else "2",
            "address": WARD + address,
        }

    @property
    def secrets(self) -> list[str]:
        """Strings that identify the person: none may appear in a log or a span."""
        found = [
            self.full_name,
            self.family_name,
            self.given_name,
            f"{self.family_name_kana}{self.given_name_kana}",
            self.birth_date.isoformat(),
            cs_date(self.birth_date),
        ]
        return [*found, self.honseki] + [v for v in (self.juminhyo_code, self.my_number) if v]


def person(
    sex: str | None = None,
    *,
    relationship: str = "世帯主",
    born: date | None = None,
    family: tuple[str, str] | None = None,
    **overrides: Any,
) -> Person:
    """A made-up adult (or child, given `born`)."""
    sex = sex or _rng.choice(("male", "female"))
    family_name, family_kana = family or _rng.choice(FAMILY_NAMES)
    given, given_kana = _rng.choice(GIVEN_NAMES[sex])
    birth = born or date(_rng.randint(1950, 1999), _rng.randint(1, 12), _rng.randint(1, 28))
    return Person(
        family_name=family_name,
        family_name_kana=family_kana,
        given_name=given,
        given_name_kana=given_kana,
        birth_date=birth,
        sex=sex,
        relationship=relationship,
        **overrides,
    )


@dataclass(frozen=True)
class Family:
    """A household moving into the ward together (国内転入)."""

    members: tuple[Person, ...]
    address: str = field(default_factory=ward_address)

    @property
    def head(self) -> Person:
        return self.members[0]

    def move_in(self, *, occurred_on: date, notified_on: date | None = None) -> dict[str, Any]:
        return {
            "kind": "domestic_move_in",
            "occurred_on": occurred_on.isoformat(),
            "notified_on": (notified_on or occurred_on).isoformat(),
            "persons": [m.entry(hittosha=self.head.full_name) for m in self.members],
            "address": self.address,
            "previous_address": PREVIOUS_ADDRESS,
        }

    @property
    def secrets(self) -> list[str]:
        return [self.address, *(s for m in self.members for s in m.secrets)]


def family(size: int = 3) -> Family:
    """Head, spouse and children sharing a surname."""
    surname = _rng.choice(FAMILY_NAMES)
    head = person("male", relationship="世帯主", family=surname)
    members = [head, person("female", relationship="妻", family=surname)]
    for _ in range(size - 2):
        born = date(_rng.randint(2008, 2020), _rng.randint(1, 12), _rng.randint(1, 28))
        members.append(person(relationship="子", born=born, family=surname))
    return Family(tuple(members[:size]))


def birth(head: Person, household_no: str, born: date) -> tuple[Person, dict[str, Any]]:
    """A newborn of the head's household and its 出生 (no 住民票コード, no 個人番号 yet)."""
    child = person(
        relationship="子",
        born=born,
        family=(head.family_name, head.family_name_kana),
        juminhyo_code=None,
        my_number=None,
    )
    body = {
        "kind": "birth",
        "occurred_on": born.isoformat(),
        "notified_on": (born + timedelta(days=2)).isoformat(),
        "persons": [child.entry(hittosha=head.full_name)],
        "join_household_no": household_no,
    }
    return child, body


def move_within_ward(atena_nos: list[str], address: str, on: date) -> dict[str, Any]:
    return {
        "kind": "move_within_ward",
        "occurred_on": on.isoformat(),
        "notified_on": on.isoformat(),
        "atena_nos": atena_nos,
        "address": address,
    }


def move_out(atena_nos: list[str], destination: str, on: date) -> dict[str, Any]:
    """国内転出 with its 転出予定日 and 転出先 (予定)."""
    return {
        "kind": "domestic_move_out",
        "occurred_on": on.isoformat(),
        "notified_on": (on - timedelta(days=3)).isoformat(),
        "atena_nos": atena_nos,
        "destination": destination,
    }
