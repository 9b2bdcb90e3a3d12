"""The state machine's model of the register: who lives where, and what a planned change expects.

test_register_state_machine.py reads the register into `state` after every approved step; the plans
(register_plans.py) and the checks (register_checks.py) build on the queries here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import permutations
from typing import NamedTuple
from uuid import UUID

from hypothesis import strategies as st
from jumin_contracts.codes import HEAD
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.change_requests import ChangeRequest
from registry.domain.errors import RegistryError

START = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
TODAY = START.date()
EARLIEST = TODAY - timedelta(days=90)
FAR_FUTURE = date(2999, 12, 31)
ADDRESSES = ("西新宿二丁目8番1号", "歌舞伎町一丁目4番1号", "高田馬場一丁目1番1号")
ELSEWHERE = "東京都中野区中野四丁目8番1号"
FAMILY_NAMES = (("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("田中", "タナカ"))
GIVEN_NAMES = (("太郎", "タロウ"), ("花子", "ハナコ"), ("一郎", "イチロウ"), ("さくら", "サクラ"))
RELATIONSHIPS = ("妻", "夫", "子", "父", "母", "同居人", "縁故者", "子の妻", "孫")
NEW = "<new household>"  # stands for a 世帯番号 the change allocates


class Fact(NamedTuple):
    """What the model knows of one person: status, 世帯, 続柄, 氏名, 住所."""

    status: str
    household_no: str
    is_head: bool
    relationship: str
    family_name: str
    given_name: str
    address: str


Snapshot = dict[str, Fact]


@dataclass(frozen=True)
class Approved:
    """One approved change, the register before it, and everyone it wrote a row for."""

    change_id: UUID
    before: Snapshot
    touched: frozenset[str]


@dataclass(frozen=True)
class Plan:
    """A valid request built from the model, with its predicted outcome."""

    request: ChangeRequest
    expect: Callable[[Snapshot, Snapshot], None]
    refused_by: type[RegistryError] | None = None
    may_be_refused: bool = False  # the model cannot tell (a 取消し into a changed 世帯)


@cache
def address_book() -> PostalAddressBook:
    return PostalAddressBook(prefecture="東京都", ward="新宿区")


class RegisterModel:
    """Who lives where, as read from the register after the last step."""

    state: Snapshot
    last_on: dict[str, date]
    approved: list[Approved]

    def _households(self) -> dict[str, list[str]]:
        households: dict[str, list[str]] = {}
        for atena_no, fact in sorted(self.state.items()):
            if fact.status == "resident":
                households.setdefault(fact.household_no, []).append(atena_no)
        return households

    def _head(self, household_no: str) -> str:
        return next(a for a in self._households()[household_no] if self.state[a].is_head)

    def _address(self, household_no: str) -> str:
        return self.state[self._households()[household_no][0]].address

    def _large_households(self) -> list[str]:
        return [h for h, members in self._households().items() if len(members) >= 2]

    def _same_address_pairs(self) -> list[tuple[str, str]]:
        return [
            (a, b)
            for a, b in permutations(sorted(self._households()), 2)
            if self._address(a) == self._address(b)
        ]

    def _dates(
        self, data: st.DataObject, people: list[str], *, latest: date = TODAY
    ) -> tuple[date, date]:
        """Draw an 異動日 no earlier than the people's last one, and a 届出日 after it."""
        floor = max([EARLIEST, *(self.last_on[a] for a in people)])
        occurred = data.draw(st.dates(min_value=min(floor, latest), max_value=latest))
        notified = data.draw(st.dates(min_value=min(occurred, TODAY), max_value=TODAY))
        return occurred, notified

    def _relationships(self, data: st.DataObject, people: list[str]) -> dict[str, str]:
        return {a: data.draw(st.sampled_from(RELATIONSHIPS)) for a in people}

    @staticmethod
    def _placed(fact: Fact, relationship: str, household_no: str | None = None) -> Fact:
        return fact._replace(
            household_no=household_no or fact.household_no,
            is_head=relationship == HEAD,
            relationship=relationship,
        )

    def _headless_rest(self, household_no: str, leaving: list[str]) -> tuple[Snapshot, bool]:
        """Predict what the rest of a household becomes when people leave it (spec 4.0.4)."""
        rest = [a for a in self._households()[household_no] if a not in leaving]
        if self._head(household_no) not in leaving or not rest:
            return {}, False
        if len(rest) == 1:  # the one member left becomes head ex officio
            return {rest[0]: self._placed(self.state[rest[0]], HEAD)}, False
        return {}, True  # refused: 2+ members would be left without a head
