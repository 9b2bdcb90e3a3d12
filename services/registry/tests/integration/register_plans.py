"""The state machine's plans: one valid request per kind of change (異動), with its predicted outcome."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID

from hypothesis import event
from hypothesis import strategies as st
from jumin_contracts.codes import HEAD, ChangeKind, ResidentType, Sex
from registry.domain.change_requests import (
    Amendment,
    Cancellation,
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
from registry.domain.errors import StateConflict

from .register_model import (
    ADDRESSES,
    EARLIEST,
    ELSEWHERE,
    FAMILY_NAMES,
    GIVEN_NAMES,
    NEW,
    RELATIONSHIPS,
    TODAY,
    Approved,
    Fact,
    Plan,
    RegisterModel,
    Snapshot,
    address_book,
)


def _full(address: str) -> str:
    return address_book().parse_ward_address(address).full_text


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


def _cancellation(target: UUID) -> Cancellation:
    return Cancellation(
        kind=ChangeKind.CANCELLATION,
        occurred_on=TODAY,
        target_change_id=target,
        reason="入力誤りのため",
    )


class RegisterPlans(RegisterModel):
    """Build, from the model, the changes the register as it is allows."""

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
        """取消し of the most recent change: nothing depends on it, so it restores its people."""
        return self._restoring(len(self.approved) - 1, [])

    def _plan_earlier_cancellation(self, data: st.DataObject) -> Plan:
        """取消し of any live change alone: refused, listing them, if later changes depend on it."""
        index = data.draw(st.sampled_from(self._live()))
        found = self._dependents(index)
        if found:
            target = self.approved[index].change_id
            ids = frozenset(a.change_id for a in found)
            return Plan(_cancellation(target), _expect({}), StateConflict, dependents=ids)
        return self._restoring(index, [])

    def _plan_cascade_cancellation(self, data: st.DataObject) -> Plan:
        """取消し of any live change together with every change that depends on it (also_cancel)."""
        index = data.draw(st.sampled_from(self._live()))
        found = self._dependents(index)
        event(f"cascade cancellation: {'with' if found else 'without'} dependents")
        return self._restoring(index, found)

    def _restoring(self, index: int, found: list[Approved]) -> Plan:
        """Expect everyone the cancelled changes touched as before the earliest that touched them.

        Nobody else changes, but for 4.0.4: someone left alone in a 世帯 becomes its head.
        """
        chain = [self.approved[index], *found]
        request = _cancellation(chain[0].change_id)
        if found:
            request = request.model_copy(update={"also_cancel": [a.change_id for a in found]})

        def expect(before: Snapshot, after: Snapshot) -> None:
            fresh = {f.household_no for f in after.values()} - {
                f.household_no for f in before.values()
            }
            for atena_no, fact in after.items():
                earliest = next((a for a in chain if atena_no in a.touched), None)
                was = before[atena_no] if earliest is None else earliest.before.get(atena_no)
                if was is None:
                    assert fact.status == "void", atena_no
                    continue
                if fact.household_no in fresh:  # their 世帯 moved since: a new one at the old 住所
                    fact = fact._replace(household_no=was.household_no)
                assert fact in (was, self._placed(was, HEAD)), atena_no

        # 2+ people returning to a 世帯 that has moved away as a whole have no head: refused
        return Plan(request, expect, StateConflict, may_be_refused=True)

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
        if self._live():
            plans["earlier cancellation"] = self._plan_earlier_cancellation
            plans["cascade cancellation"] = self._plan_cascade_cancellation
        return plans
