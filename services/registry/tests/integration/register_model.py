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
    """One approved change, the register before and after it, and everyone it wrote a row for.

    ``relative_before`` is the model's map of whose 世帯主 each person's 続柄 refers to, before the
    change; ``cancels`` the changes it cancelled, if it is a 取消し.
    """

    change_id: UUID
    before: Snapshot
    touched: frozenset[str]
    after: Snapshot
    relative_before: dict[str, str]
    cancels: frozenset[UUID] = frozenset()


@dataclass(frozen=True)
class Footprint:
    """What a change did, as the model reads it from its snapshots (dependence of a 取消し)."""

    people: frozenset[str]
    heads_set: frozenset[str]  # 世帯 whose head it set, removed or created
    left: frozenset[str]  # 世帯 someone left
    placed: frozenset[str]  # 世帯 it put someone into or gave a new 続柄 in

    def depends_on(self, earlier: Footprint) -> bool:
        """A later change depends on an earlier one: same people, or built on its 世帯主 changes."""
        return bool(
            self.people & earlier.people
            or self.placed & earlier.heads_set
            or self.heads_set & earlier.left
        )


def footprint(change: Approved) -> Footprint:
    """Read a change's footprint off the snapshots before and after it."""
    heads, left, placed = set(), set(), set()
    for atena_no in change.touched:
        was, now = change.before.get(atena_no), change.after[atena_no]
        was_in = was is not None and was.status == "resident"
        now_in = now.status == "resident"
        same = was is not None and was.household_no == now.household_no
        if now_in and now.is_head and not (was_in and was is not None and was.is_head and same):
            heads.add(now.household_no)
        if was_in and was is not None and was.is_head and not (now_in and now.is_head and same):
            heads.add(was.household_no)
        if was_in and was is not None and not (now_in and same):
            left.add(was.household_no)
        kept = was_in and same and was is not None and was.relationship == now.relationship
        if now_in and not kept:
            placed.add(now.household_no)
    return Footprint(change.touched, frozenset(heads), frozenset(left), frozenset(placed))


@dataclass(frozen=True)
class Plan:
    """A valid request built from the model, with its predicted outcome."""

    request: ChangeRequest
    expect: Callable[[Snapshot, Snapshot], None]
    refused_by: type[RegistryError] | None = None
    may_be_refused: bool = False  # the model cannot tell (a 取消し into a changed 世帯)
    dependents: frozenset[UUID] = frozenset()  # a refused 取消し must list exactly these


@cache
def address_book() -> PostalAddressBook:
    return PostalAddressBook(prefecture="東京都", ward="新宿区")


class RegisterModel:
    """Who lives where, as read from the register after the last step."""

    state: Snapshot
    last_on: dict[str, date]
    approved: list[Approved]

    def _live(self) -> list[int]:
        """Return the indexes of approved changes no 取消し has cancelled."""
        cancelled = set().union(*(a.cancels for a in self.approved))
        return [i for i, a in enumerate(self.approved) if a.change_id not in cancelled]

    def _dependents(self, index: int) -> list[Approved]:
        """Return the live changes after approved[index] that depend on it, transitively."""
        chosen = [footprint(self.approved[index])]
        found = []
        for i in self._live():
            if i > index and any(footprint(self.approved[i]).depends_on(c) for c in chosen):
                chosen.append(footprint(self.approved[i]))
                found.append(self.approved[i])
        return found

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
