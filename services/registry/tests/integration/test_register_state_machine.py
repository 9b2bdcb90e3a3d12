"""Any sequence of valid changes (異動) keeps the register's invariants, on the real database.

A hypothesis state machine files changes through the real handlers (entered by clerk01, approved
by reviewer01) and, after every step, checks what the 住民記録 must never lose:

1. every 世帯 with resident members has exactly one 世帯主 (and one 住所);
2. nobody is in two 世帯: one current row per person, and it is their last 履歴番号;
3. 履歴番号 per person run 1..n without gaps;
4. as-of answers (異動日, 処理日時) agree with the history rows;
5. a refused change writes nothing.

Each rule also predicts the change's effect on its own model of who lives where (the register as
read before the step), and a pending change (仮登録) must leave every read unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import permutations
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlparse
from uuid import UUID, uuid4

import asyncpg
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from jumin_contracts.codes import HEAD, ChangeKind, ResidentType, Sex
from jumin_platform.db import create_pool
from jumin_platform.my_number_vault import load_vault
from registry.adapters.address_dictionary import PostalAddressBook
from registry.bootstrap import Registry
from registry.config import Settings
from registry.domain.changes import ChangeStatus
from registry.domain.commands import (
    Amendment,
    Cancellation,
    ChangeRequest,
    EntryChange,
    HeadChange,
    HouseholdMerger,
    HouseholdSeparation,
    HouseholdTransfer,
    MoveWithinWard,
    NewPerson,
    PersonPatch,
    RemovalChange,
)
from registry.domain.errors import NotFound, RegistryError, StateConflict
from registry.domain.model import HistoryRow, RecordStatus
from registry.service_layer.handlers import (
    approve_change,
    get_change,
    get_history,
    get_household,
    get_resident,
    submit_change,
)

pytestmark = pytest.mark.integration

T = TypeVar("T")

CLERK, REVIEWER = "clerk01", "reviewer01"
RECORD_TABLES = ("resident_current", "resident_history", "households")
TABLES = (*RECORD_TABLES, "changes")
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

SNAPSHOT = """
SELECT c.atena_no, c.status, c.household_no, c.is_head, h.relationship, h.family_name,
       h.given_name, h.address, last.occurred_on
  FROM registry.resident_current c
  JOIN registry.resident_history h USING (atena_no, history_no)
  JOIN (SELECT atena_no, max(occurred_on_sort) AS occurred_on
          FROM registry.resident_history GROUP BY atena_no) last USING (atena_no)
"""

TOUCHED = "SELECT DISTINCT atena_no FROM registry.resident_history WHERE change_id = $1"

NUMBERING = """
SELECT h.atena_no, count(*) AS n, min(h.history_no) AS first, max(h.history_no) AS last,
       c.history_no AS current_no
  FROM registry.resident_history h
  LEFT JOIN registry.resident_current c USING (atena_no)
 GROUP BY h.atena_no, c.history_no
"""

CURRENT_MATCHES_HISTORY = """
SELECT c.atena_no FROM registry.resident_current c
  LEFT JOIN registry.resident_history h USING (atena_no, history_no)
 WHERE h.atena_no IS NULL OR (c.status, c.household_no, c.is_head, c.address)
       IS DISTINCT FROM (h.status, h.household_no, h.is_head, h.address)
"""

HOUSEHOLDS = """
SELECT c.household_no, count(*) FILTER (WHERE c.is_head) AS heads,
       count(DISTINCT h.address) AS addresses, array_agg(c.atena_no ORDER BY c.atena_no) AS members
  FROM registry.resident_current c
  JOIN registry.resident_history h USING (atena_no, history_no)
 WHERE c.status = 'resident'
 GROUP BY c.household_no
"""


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
Tables = dict[str, list[tuple[Any, ...]]]


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
def _settings() -> Settings:
    settings_ = Settings()
    if "test" not in urlparse(settings_.migration_database_url.get_secret_value()).path:
        pytest.fail("integration tests run only against a *test* database")
    return settings_


@cache
def _addresses() -> PostalAddressBook:
    return PostalAddressBook()


def _full(address: str) -> str:
    return _addresses().parse_ward_address(address).full_text


def _check_outcome(
    before: Snapshot, after: Snapshot, changed: Snapshot, entered: list[Fact]
) -> None:
    """Compare the register after a change with the prediction (NEW = one fresh 世帯番号)."""
    fresh = {f.household_no for f in after.values()} - {f.household_no for f in before.values()}
    assert len(fresh) <= 1, f"one change created several households: {fresh}"

    def seen(fact: Fact) -> Fact:
        return fact._replace(household_no=NEW) if fact.household_no in fresh else fact

    assert {a: seen(after[a]) for a in before} == {**before, **changed}
    assert [seen(after[a]) for a in sorted(set(after) - set(before))] == entered


def _expect(changed: Snapshot, entered: list[Fact] | None = None) -> Callable[..., None]:
    return lambda before, after: _check_outcome(before, after, changed, entered or [])


class RegisterMachine(RuleBasedStateMachine):
    """File random valid changes and check the register after each one."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.ticks = 0
        settings_ = _settings()
        self.owner: asyncpg.Connection[Any] = self._run(
            asyncpg.connect(settings_.migration_database_url.get_secret_value())
        )
        self._run(self._clean())
        pool = self._run(create_pool(settings_.database_url.get_secret_value(), max_size=2))
        self.registry = Registry(
            settings=settings_,
            pool=pool,
            addresses=_addresses(),
            vault=load_vault(settings_.my_number_key_file),
            clock=self._now,
        )
        self.approved: list[Approved] = []
        self.pending: list[UUID] = []
        self.state: Snapshot = {}
        self.last_on: dict[str, date] = {}

    def teardown(self) -> None:
        try:
            self._run(self._clean())
            self._run(self.owner.close())
            self._run(self.registry.pool.close())
        finally:
            self.loop.close()

    # --- plumbing ---------------------------------------------------------------------------

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def _now(self) -> datetime:
        return START + timedelta(seconds=self.ticks)

    async def _clean(self) -> None:
        await self.owner.execute(f"TRUNCATE {', '.join(f'registry.{t}' for t in TABLES)} CASCADE")

    async def _read_state(self) -> None:
        records = await self.owner.fetch(SNAPSHOT)
        self.state = {r["atena_no"]: Fact(**{k: r[k] for k in Fact._fields}) for r in records}
        self.last_on = {r["atena_no"]: r["occurred_on"] for r in records}

    def _tables(self) -> Tables:
        async def dump() -> Tables:
            return {
                t: sorted(tuple(r) for r in await self.owner.fetch(f"SELECT * FROM registry.{t}"))
                for t in TABLES
            }

        return self._run(dump())

    def _submit(self, request: ChangeRequest, change_id: UUID) -> UUID:
        self.ticks += 1
        self._run(
            submit_change(
                uow=self.registry.uow(),
                request=request,
                staff_id=CLERK,
                terminal=None,
                change_id=change_id,
                addresses=self.registry.addresses,
                clock=self.registry.clock,
            )
        )
        return change_id

    def _approve(self, change_id: UUID) -> None:
        self.ticks += 1  # each approval is recorded one second after the last
        self._run(
            approve_change(
                uow=self.registry.uow(),
                change_id=change_id,
                reviewer_id=REVIEWER,
                addresses=self.registry.addresses,
                clock=self.registry.clock,
            )
        )

    @staticmethod
    def _refusal(action: Callable[[], object]) -> RegistryError | None:
        """Run an action; return the domain error that refused it, if any."""
        try:
            action()
        except RegistryError as error:
            return error
        return None

    def _check_refusal(self, plan: Plan, error: RegistryError, tables: Tables) -> None:
        assert plan.refused_by is not None, f"valid change refused: {error.detail} {plan.request}"
        assert isinstance(error, plan.refused_by), error.detail
        assert not plan.may_be_refused or "世帯主" in error.detail, error.detail
        assert self._tables() == tables, "a refused change wrote rows"

    def _carry_out(self, plan: Plan) -> None:
        """Submit and approve a change; check its predicted outcome or that a refusal wrote nothing."""
        before, tables, change_id = self.state, self._tables(), uuid4()
        error = self._refusal(lambda: self._approve(self._submit(plan.request, change_id)))
        event(f"{plan.request.kind.value}: {'refused' if error else 'approved'}")
        if error is not None:
            self._check_refusal(plan, error, tables)
            return
        assert plan.refused_by is None or plan.may_be_refused, f"expected refusal: {plan.request}"
        self._approved(change_id, before)
        plan.expect(before, self.state)

    def _approved(self, change_id: UUID, before: Snapshot) -> None:
        touched = self._run(self.owner.fetch(TOUCHED, change_id))
        self.approved.append(Approved(change_id, before, frozenset(r[0] for r in touched)))
        self._run(self._read_state())

    # --- the model --------------------------------------------------------------------------

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

    # --- plans: one valid request per kind of change ----------------------------------------

    def _plan_move_in(self, data: st.DataObject) -> Plan:
        existing = sorted({f.address for f in self.state.values() if f.status == "resident"})
        address = data.draw(st.sampled_from(ADDRESSES + tuple(existing)))
        family, family_kana = data.draw(st.sampled_from(FAMILY_NAMES))
        persons = []
        for i in range(data.draw(st.integers(min_value=1, max_value=4))):
            given, given_kana = data.draw(st.sampled_from(GIVEN_NAMES))
            persons.append(
                NewPerson(
                    resident_type=ResidentType.JAPANESE,
                    family_name=family,
                    given_name=given,
                    family_name_kana=family_kana,
                    given_name_kana=given_kana,
                    birth_date=data.draw(st.dates(date(1940, 1, 1), date(2024, 12, 31))),
                    sex=data.draw(st.sampled_from(Sex)),
                    relationship=HEAD if i == 0 else data.draw(st.sampled_from(RELATIONSHIPS)),
                )
            )
        occurred, notified = self._dates(data, [])
        request = EntryChange(
            kind=ChangeKind.DOMESTIC_MOVE_IN,
            occurred_on=occurred,
            notified_on=notified,
            persons=persons,
            address=address,
            previous_address=ELSEWHERE,
        )
        entered = [
            Fact(
                "resident",
                NEW,
                p.relationship == HEAD,
                p.relationship,
                family,
                p.given_name,
                _full(address),
            )
            for p in persons
        ]
        return Plan(request, _expect({}, entered))

    def _plan_birth(self, data: st.DataObject) -> Plan:
        household_no = data.draw(st.sampled_from(sorted(self._households())))
        head = self.state[self._head(household_no)]
        given, given_kana = data.draw(st.sampled_from(GIVEN_NAMES))
        relationship = data.draw(st.sampled_from(["子", "孫"]))
        born = data.draw(st.dates(TODAY - timedelta(days=30), TODAY))
        newborn = NewPerson(
            resident_type=ResidentType.JAPANESE,
            family_name=head.family_name,
            given_name=given,
            family_name_kana=dict(FAMILY_NAMES)[head.family_name],
            given_name_kana=given_kana,
            birth_date=born,
            sex=data.draw(st.sampled_from(Sex)),
            relationship=relationship,
        )
        request = EntryChange(
            kind=ChangeKind.BIRTH,
            occurred_on=born,
            notified_on=data.draw(st.dates(born, TODAY)),
            persons=[newborn],
            join_household_no=household_no,
        )
        fact = Fact(
            "resident", household_no, False, relationship, head.family_name, given, head.address
        )
        return Plan(request, _expect({}, [fact]))

    def _plan_move(self, data: st.DataObject) -> Plan:
        """転居: a whole household, or some members forming a new household or joining one."""
        household_no = data.draw(st.sampled_from(sorted(self._households())))
        members = self._households()[household_no]
        here = self._address(household_no)
        elsewhere = [h for h in self._households() if self._address(h) != here]
        modes = ["whole", "new household", "join"] if elsewhere else ["whole", "new household"]
        mode = data.draw(st.sampled_from(modes))
        movers = members
        if mode != "whole":
            movers = data.draw(st.lists(st.sampled_from(members), min_size=1, unique=True))
        occurred, notified = self._dates(data, movers)
        request = {
            "kind": ChangeKind.MOVE_WITHIN_WARD,
            "occurred_on": occurred,
            "notified_on": notified,
            "atena_nos": data.draw(st.permutations(movers)),
        }
        if mode == "whole":
            address = _full(data.draw(st.sampled_from([a for a in ADDRESSES if _full(a) != here])))
            moved = {a: self.state[a]._replace(address=address) for a in members}
            return Plan(MoveWithinWard(**request, address=address), _expect(moved))
        if mode == "new household":
            address = _full(data.draw(st.sampled_from([a for a in ADDRESSES if _full(a) != here])))
            new_head = data.draw(st.sampled_from(movers))
            relationships = self._relationships(data, [a for a in movers if a != new_head])
            request |= {"new_head": new_head, "relationships": relationships}
            relations, target = {**relationships, new_head: HEAD}, NEW
        else:
            target = data.draw(st.sampled_from(elsewhere))
            address = self._address(target)
            relations = self._relationships(data, movers)
            request |= {"join_household_no": target, "relationships": relations}
        moved = {
            a: self._placed(self.state[a], relations[a], target)._replace(address=address)
            for a in movers
        }
        rest, refused = self._headless_rest(household_no, movers)
        return Plan(
            MoveWithinWard(**request, address=address),
            _expect({**moved, **rest}),
            StateConflict if refused else None,
        )

    def _plan_separation(self, data: st.DataObject) -> Plan:
        household_no = data.draw(st.sampled_from(self._large_households()))
        head = self._head(household_no)
        others = [a for a in self._households()[household_no] if a != head]
        movers = data.draw(st.lists(st.sampled_from(others), min_size=1, unique=True))
        new_head = data.draw(st.sampled_from(movers))
        relationships = self._relationships(data, [a for a in movers if a != new_head])
        occurred, notified = self._dates(data, movers)
        request = HouseholdSeparation(
            kind=ChangeKind.HOUSEHOLD_SEPARATION,
            occurred_on=occurred,
            notified_on=notified,
            atena_nos=movers,
            new_head=new_head,
            relationships=relationships,
        )
        relations = {**relationships, new_head: HEAD}
        return Plan(
            request, _expect({a: self._placed(self.state[a], relations[a], NEW) for a in movers})
        )

    def _plan_transfer(self, data: st.DataObject) -> Plan:
        source, target = data.draw(st.sampled_from(self._same_address_pairs()))
        members = self._households()[source]
        movers = data.draw(st.lists(st.sampled_from(members), min_size=1, unique=True))
        relationships = self._relationships(data, movers)
        occurred, notified = self._dates(data, movers)
        request = HouseholdTransfer(
            kind=ChangeKind.HOUSEHOLD_TRANSFER,
            occurred_on=occurred,
            notified_on=notified,
            atena_nos=movers,
            into_household_no=target,
            relationships=relationships,
        )
        rest, refused = self._headless_rest(source, movers)
        moved = {a: self._placed(self.state[a], relationships[a], target) for a in movers}
        return Plan(request, _expect({**moved, **rest}), StateConflict if refused else None)

    def _plan_merger(self, data: st.DataObject) -> Plan:
        source, target = data.draw(st.sampled_from(self._same_address_pairs()))
        members = self._households()[source]
        relationships = self._relationships(data, members)
        occurred, notified = self._dates(data, members)
        request = HouseholdMerger(
            kind=ChangeKind.HOUSEHOLD_MERGER,
            occurred_on=occurred,
            notified_on=notified,
            household_no=source,
            into_household_no=target,
            relationships=relationships,
        )
        return Plan(
            request,
            _expect({a: self._placed(self.state[a], relationships[a], target) for a in members}),
        )

    def _plan_head_change(self, data: st.DataObject) -> Plan:
        household_no = data.draw(st.sampled_from(self._large_households()))
        members = self._households()[household_no]
        head = self._head(household_no)
        new_head = data.draw(st.sampled_from([a for a in members if a != head]))
        relationships = self._relationships(data, [a for a in members if a != new_head])
        occurred, notified = self._dates(data, members)
        request = HeadChange(
            kind=ChangeKind.HEAD_CHANGE,
            occurred_on=occurred,
            notified_on=notified,
            household_no=household_no,
            new_head=new_head,
            relationships=relationships,
        )
        relations = {**relationships, new_head: HEAD}
        return Plan(
            request,
            _expect({a: self._placed(self.state[a], relations[a]) for a in members}),
        )

    def _plan_removal(self, data: st.DataObject) -> Plan:
        household_no = data.draw(st.sampled_from(sorted(self._households())))
        members = self._households()[household_no]
        leaving = data.draw(st.lists(st.sampled_from(members), min_size=1, unique=True))
        kind = data.draw(st.sampled_from([ChangeKind.DEATH, ChangeKind.DOMESTIC_MOVE_OUT]))
        if kind is ChangeKind.DEATH:
            occurred, notified = self._dates(data, leaving)
            destination, filed = None, data.draw(st.sampled_from([None, notified]))
        else:  # a 転出予定日 may lie ahead; the 届出 may come before it
            occurred, _ = self._dates(data, leaving, latest=TODAY + timedelta(days=14))
            destination, filed = ELSEWHERE, data.draw(st.dates(EARLIEST, TODAY))
        request = RemovalChange(
            kind=kind,
            occurred_on=occurred,
            notified_on=filed,
            atena_nos=leaving,
            destination=destination,
        )
        rest, refused = self._headless_rest(household_no, leaving)
        removed = {a: self.state[a]._replace(status="removed") for a in leaving}
        return Plan(request, _expect({**removed, **rest}), StateConflict if refused else None)

    def _plan_correction(self, data: st.DataObject) -> Plan:
        living = [a for a, f in sorted(self.state.items()) if f.status != "void"]
        atena_no = data.draw(st.sampled_from(living))
        fact = self.state[atena_no]
        given, kana = data.draw(
            st.sampled_from([g for g in GIVEN_NAMES if g[0] != fact.given_name])
        )
        occurred, _ = self._dates(data, [atena_no])
        request = Amendment(
            kind=ChangeKind.CLERICAL_CORRECTION,
            occurred_on=occurred,
            atena_no=atena_no,
            patch=PersonPatch(given_name=given, given_name_kana=kana),
        )
        return Plan(request, _expect({atena_no: fact._replace(given_name=given)}))

    def _plan_cancellation(self, data: st.DataObject) -> Plan:
        """取消し of the most recent change: the register is as it was before it."""
        target = self.approved[-1]

        def expect(before: Snapshot, after: Snapshot) -> None:
            assert {a: f for a, f in after.items() if a in target.before} == target.before
            assert all(f.status == "void" for a, f in after.items() if a not in target.before)

        return Plan(_cancellation(target.change_id), expect)

    def _touched_after(self, index: int) -> set[str]:
        """Return who a change made after approved[index] touched, if it touched its people."""
        later = set().union(*(c.touched for c in self.approved[index + 1 :]))
        return later & self.approved[index].touched

    def _plan_earlier_cancellation(self, data: st.DataObject) -> Plan:
        """取消し of any approved change: refused once a later change touched its people."""
        untouched_since = [i for i in range(len(self.approved)) if not self._touched_after(i)]
        index = data.draw(st.sampled_from(untouched_since) | st.integers(0, len(self.approved) - 1))
        target, later = self.approved[index], self._touched_after(index)

        def expect(before: Snapshot, after: Snapshot) -> None:
            fresh = {f.household_no for f in after.values()} - {
                f.household_no for f in before.values()
            }
            for atena_no, fact in after.items():
                was = (
                    target.before.get(atena_no) if atena_no in target.touched else before[atena_no]
                )
                if was is None:
                    assert fact.status == "void", atena_no
                    continue
                if fact.household_no in fresh:  # their 世帯 moved since: a new one at the old 住所
                    fact = fact._replace(household_no=was.household_no)
                # someone left alone in a 世帯 becomes its head (spec 4.0.4)
                assert fact in (was, self._placed(was, HEAD)), atena_no

        if later:
            return Plan(_cancellation(target.change_id), expect, StateConflict)
        # the former 世帯 may have lost its head since: then 2+ returning members are refused
        return Plan(_cancellation(target.change_id), expect, StateConflict, may_be_refused=True)

    def _plans(self) -> dict[str, Callable[[st.DataObject], Plan]]:
        """Return the plans the register as it is allows."""
        plans: dict[str, Callable[[st.DataObject], Plan]] = {"move_in": self._plan_move_in}
        if self._households():
            plans |= {
                "birth": self._plan_birth,
                "move": self._plan_move,
                "removal": self._plan_removal,
                "correction": self._plan_correction,
            }
        if self._large_households():
            plans |= {"separation": self._plan_separation, "head": self._plan_head_change}
        if self._same_address_pairs():
            plans |= {"transfer": self._plan_transfer, "merger": self._plan_merger}
        if self.approved:
            plans["cancellation"] = self._plan_cancellation
            plans["earlier cancellation"] = self._plan_earlier_cancellation
        return plans

    # --- rules ------------------------------------------------------------------------------

    @initialize(data=st.data())
    def first_households(self, data: st.DataObject) -> None:
        """Start with two 国内転入 (often at one address), so every rule has something to act on."""
        self._carry_out(self._plan_move_in(data))
        self._carry_out(self._plan_move_in(data))

    @rule(data=st.data())
    def move_in(self, data: st.DataObject) -> None:
        """国内転入 of a new household of 1-4 people."""
        self._carry_out(self._plan_move_in(data))

    @precondition(lambda self: self._households())
    @rule(data=st.data())
    def birth(self, data: st.DataObject) -> None:
        """出生 into a household."""
        self._carry_out(self._plan_birth(data))

    @precondition(lambda self: self._households())
    @rule(data=st.data())
    def move_household(self, data: st.DataObject) -> None:
        """転居 of a whole household, or of some members to a new or another household."""
        self._carry_out(self._plan_move(data))

    @precondition(lambda self: self._large_households())
    @rule(data=st.data())
    def separate(self, data: st.DataObject) -> None:
        """世帯分離 of non-head members."""
        self._carry_out(self._plan_separation(data))

    @precondition(lambda self: self._same_address_pairs())
    @rule(data=st.data())
    def transfer(self, data: st.DataObject) -> None:
        """世帯変更 between households at one address (the head too: maybe refused)."""
        self._carry_out(self._plan_transfer(data))

    @precondition(lambda self: self._same_address_pairs())
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        """世帯合併 of a whole household into another at the same address."""
        self._carry_out(self._plan_merger(data))

    @precondition(lambda self: self._large_households())
    @rule(data=st.data())
    def change_head(self, data: st.DataObject) -> None:
        """世帯主変更."""
        self._carry_out(self._plan_head_change(data))

    @precondition(lambda self: self._households())
    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        """死亡 or 国内転出 of members, the head included (refused if 2+ are left headless)."""
        self._carry_out(self._plan_removal(data))

    @precondition(lambda self: self._households())
    @rule(data=st.data())
    def correct_name(self, data: st.DataObject) -> None:
        """誤記修正 of a 名 (removed records included)."""
        self._carry_out(self._plan_correction(data))

    @precondition(lambda self: self.approved)
    @rule(data=st.data())
    def cancel_latest(self, data: st.DataObject) -> None:
        """異動の取消し of the most recent change: everyone it touched is as before it."""
        self._carry_out(self._plan_cancellation(data))

    @precondition(lambda self: self.approved)
    @rule(data=st.data())
    def cancel_earlier(self, data: st.DataObject) -> None:
        """異動の取消し of any approved change (refused if a later change touched its people)."""
        self._carry_out(self._plan_earlier_cancellation(data))

    @rule(data=st.data())
    def enter_pending(self, data: st.DataObject) -> None:
        """仮登録 of any valid change: every read stays as it was."""
        plans = self._plans()
        plan = plans[data.draw(st.sampled_from(sorted(plans)))](data)
        reads, tables, change_id = self._run(self._reads()), self._tables(), uuid4()
        error = self._refusal(lambda: self._submit(plan.request, change_id))
        if error is not None:
            self._check_refusal(plan, error, tables)
            return
        assert self._run(self._reads()) == reads, "a pending change altered a read"
        after = self._tables()
        assert all(after[t] == tables[t] for t in RECORD_TABLES), "a pending change wrote history"
        self.pending.append(change_id)

    @precondition(lambda self: self.pending)
    @rule(data=st.data())
    def approve_stale(self, data: st.DataObject) -> None:
        """本登録 of a change entered steps ago: it fits the register as it is now, or writes nothing."""
        change_id = data.draw(st.sampled_from(self.pending))
        self.pending.remove(change_id)
        before, tables = self.state, self._tables()
        if self._refusal(lambda: self._approve(change_id)) is not None:
            after = self._tables()
            assert all(after[t] == tables[t] for t in RECORD_TABLES), "a refused change wrote rows"
            change = self._run(get_change(uow=self.registry.uow(), change_id=change_id))
            assert change.status is ChangeStatus.PENDING
            event(f"stale {change.request.kind.value}: refused")
        else:
            self._approved(change_id, before)
            event("stale change: approved")

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def register_is_consistent(self) -> None:
        self._run(self._read_state())
        self._run(self._check_tables())
        self._run(self._check_reads())

    async def _check_tables(self) -> None:
        for r in await self.owner.fetch(NUMBERING):
            assert (r["first"], r["last"]) == (1, r["n"]), f"履歴番号 of {r['atena_no']} have gaps"
            assert r["current_no"] == r["last"], f"current row of {r['atena_no']} is not the last"
        assert await self.owner.fetch(CURRENT_MATCHES_HISTORY) == []
        for r in await self.owner.fetch(HOUSEHOLDS):
            assert r["heads"] == 1, f"世帯 {r['household_no']} has {r['heads']} heads"
            assert r["addresses"] == 1, f"世帯 {r['household_no']} lives at two addresses"

    async def _check_reads(self) -> None:
        members_seen: list[str] = []
        for household_no, members in self._households().items():
            household = await get_household(
                uow=self.registry.uow(),
                household_no=household_no,
                on=FAR_FUTURE,
                known_at=None,
                clock=self._now,
            )
            assert sorted(m.atena_no for m in household.members) == members
            assert household.head is not None
            assert household.members[0].atena_no == self._head(household_no)
            members_seen += members
        assert len(members_seen) == len(set(members_seen)), "someone is in two households"
        for atena_no in self.state:
            rows = await get_history(uow=self.registry.uow(), atena_no=atena_no)
            assert [r.history_no for r in rows] == list(range(1, len(rows) + 1))
            assert await self._resident(atena_no, on=None, known_at=None) == _visible(rows[-1])
            await self._check_as_of(atena_no, rows)

    async def _check_as_of(self, atena_no: str, rows: list[HistoryRow]) -> None:
        """The row in force on each 異動日, and as known at each 処理日時, is the history's."""
        for day in sorted({r.occurred_on.sort_key() for r in rows}):
            in_force = [r for r in rows if r.occurred_on.sort_key() <= day]
            actual = await self._resident(atena_no, on=day, known_at=None)
            assert actual == _visible(in_force[-1]), f"{atena_no} on {day}"
        for row in rows:
            actual = await self._resident(atena_no, on=FAR_FUTURE, known_at=row.recorded_at)
            known = [r for r in rows if r.recorded_at <= row.recorded_at]
            assert actual == _visible(known[-1]), f"{atena_no} known at {row.recorded_at}"
            assert actual is None or actual.history_no <= known[-1].history_no

    async def _resident(
        self, atena_no: str, *, on: date | None, known_at: datetime | None
    ) -> HistoryRow | None:
        try:
            return await get_resident(
                uow=self.registry.uow(),
                atena_no=atena_no,
                on=on,
                known_at=known_at,
                clock=self._now,
            )
        except NotFound:
            return None

    async def _reads(self) -> dict[tuple[str, str], object]:
        """Read everything a user can: each record, its history, each household (now and ever)."""
        reads: dict[tuple[str, str], object] = {}
        for atena_no in self.state:
            reads["resident", atena_no] = await self._resident(atena_no, on=None, known_at=None)
            reads["today", atena_no] = await self._resident(atena_no, on=TODAY, known_at=None)
            reads["history", atena_no] = await get_history(
                uow=self.registry.uow(), atena_no=atena_no
            )
        for household_no in {f.household_no for f in self.state.values()}:
            for on in (None, FAR_FUTURE):
                try:
                    reads[f"household {on}", household_no] = await get_household(
                        uow=self.registry.uow(),
                        household_no=household_no,
                        on=on,
                        known_at=None,
                        clock=self._now,
                    )
                except NotFound:
                    reads[f"household {on}", household_no] = None
        return reads


def _cancellation(target: UUID) -> Cancellation:
    return Cancellation(
        kind=ChangeKind.CANCELLATION,
        occurred_on=TODAY,
        target_change_id=target,
        reason="入力誤りのため",
    )


def _visible(row: HistoryRow) -> HistoryRow | None:
    """Return what get_resident shows of a row: nothing for a record voided by 取消し."""
    return None if row.person.status is RecordStatus.VOID else row


RegisterMachine.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRegisterStateMachine = RegisterMachine.TestCase
