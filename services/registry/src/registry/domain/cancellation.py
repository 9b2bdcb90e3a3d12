"""What a 異動の取消し must take with it: the later changes that depend on the one cancelled (spec 4.6).

A 取消し restores everyone the cancelled change touched (spec 4.6.0.1). A later change that was
made *on top of* it would be left standing on nothing: a 出生 into a 世帯 whose 転入 is cancelled,
a 転居 of a person whose 転入 is cancelled, a 世帯主変更 naming them. Such a later change is a
*dependent*; the 取消し is refused with the list of dependents, or cancels them together when the
clerk lists them (``Cancellation.also_cancel``), as one change reviewed once.

A later change D depends on an earlier change C when D is not itself cancelled and

(a) D wrote a row for someone C wrote a row for (the person's state after C is D's input);
(b) D placed someone into a 世帯 whose 世帯主 C set or removed (or that C created): their 続柄 was
    given relative to that head, or the 世帯 they joined exists only because of C;
(c) D set the 世帯主 of a 世帯 someone left by C: on return they would carry a 続柄 to a head who
    is no longer head.

Dependence is transitive; the closure is computed in approval order (a dependency always points
backwards in time), so one pass over the later changes finds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from jumin_contracts.codes import ChangeKind

from registry.domain.errors import StateConflict
from registry.domain.model import Person


@dataclass(frozen=True)
class RowChange:
    """One row a change wrote: the person before it (None if it entered them) and after it."""

    atena_no: str
    before: Person | None
    after: Person


@dataclass(frozen=True)
class Footprint:
    """What one approved change did to people and 世帯, as far as dependence is concerned."""

    change_id: UUID
    kind: ChangeKind
    people: frozenset[str]  # everyone it wrote a row for
    heads_set: frozenset[str]  # 世帯 whose head it set, removed or created
    left: frozenset[str]  # 世帯 someone left (moved out of, removed from)
    placed: frozenset[str]  # 世帯 it put someone into or gave a new 続柄 in


def _resident(person: Person | None) -> bool:
    return person is not None and person.is_resident


def footprint(change_id: UUID, kind: ChangeKind, rows: Iterable[RowChange]) -> Footprint:
    """Summarise the rows a change wrote into what later changes may depend on."""
    people, heads, left, placed = set(), set(), set(), set()
    for row in rows:
        before, after = row.before, row.after
        people.add(row.atena_no)
        was_head = _resident(before) and before is not None and before.is_head
        is_head = after.is_resident and after.is_head
        same_household = before is not None and before.household_no == after.household_no
        if is_head and not (was_head and same_household):
            heads.add(after.household_no)
        if was_head and before is not None and not (is_head and same_household):
            heads.add(before.household_no)
        if _resident(before) and before is not None and not (after.is_resident and same_household):
            left.add(before.household_no)
        if after.is_resident and not (
            _resident(before)
            and same_household
            and before is not None
            and before.relationship == after.relationship
        ):
            placed.add(after.household_no)
    return Footprint(
        change_id, kind, frozenset(people), frozenset(heads), frozenset(left), frozenset(placed)
    )


def depends_on(later: Footprint, earlier: Footprint) -> bool:
    """Say whether a later change was made on top of an earlier one (rules (a)-(c) above)."""
    return bool(
        later.people & earlier.people
        or later.placed & earlier.heads_set
        or later.heads_set & earlier.left
    )


def dependents(target: Footprint, later: Sequence[Footprint]) -> list[Footprint]:
    """Return the changes, among *later* (in approval order), that depend on *target*, transitively."""
    chosen = [target]
    found = []
    for candidate in later:
        if any(depends_on(candidate, c) for c in chosen):
            chosen.append(candidate)
            found.append(candidate)
    return found


def _listing(changes: Iterable[Footprint]) -> str:
    return ", ".join(f"{c.kind.japanese} {c.change_id}" for c in changes)


class DependentChanges(StateConflict):
    """Later changes depend on the one being cancelled (後の異動がこの異動に依存している)."""

    title = "Later changes depend on the cancelled change"

    def __init__(self, missing: Sequence[Footprint]) -> None:
        super().__init__(
            f"この異動の上に行われた後の異動があります ({_listing(missing)})。"
            "それらも取り消すには also_cancel に指定してください / later changes depend on this "
            "one; list them in also_cancel to cancel them together"
        )
        self.extra = {
            "dependent_changes": [
                {"change_id": str(c.change_id), "kind": c.kind.value} for c in missing
            ]
        }


def check_also_cancel(found: Sequence[Footprint], also_cancel: Iterable[UUID]) -> None:
    """Refuse a 取消し that leaves a dependent standing or names a change that is not one."""
    listed = set(also_cancel)
    missing = [c for c in found if c.change_id not in listed]
    if missing:
        raise DependentChanges(missing)
    extra = listed - {c.change_id for c in found}
    if extra:
        raise StateConflict(
            "also_cancel に、この異動に依存しない異動が含まれています ("
            + ", ".join(sorted(str(c) for c in extra))
            + ") / also_cancel names changes that do not depend on the cancelled one"
        )
