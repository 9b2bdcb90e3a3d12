"""Plan changes about households: 転居 (spec 4.1.2), 世帯分離, 世帯合併, 世帯変更, 世帯主変更 (spec 4.1.4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from jumin_contracts.codes import HEAD

from registry.domain.addresses import AddressBook, AddressError, WardAddress
from registry.domain.change_requests import (
    ChangeRequest,
    HeadChange,
    HouseholdMerger,
    HouseholdSeparation,
    HouseholdTransfer,
    MoveWithinWard,
)
from registry.domain.errors import RuleViolation, StateConflict
from registry.domain.model import HistoryRow, Person
from registry.domain.planning.person import address_items
from registry.domain.rules import PlannedRow, check_relationships_cover

if TYPE_CHECKING:
    from registry.domain.planning import RegisterView


def _place(row: HistoryRow, household_no: str, relationship: str, **items: object) -> PlannedRow:
    person = row.person.evolve(
        household_no=household_no,
        is_head=relationship == HEAD,
        relationship=relationship,
        **items,
    )
    return PlannedRow(row.atena_no, person, ex_officio=False)


def _relationships_with_head(
    relationships: Mapping[str, str], movers: list[str], new_head: str
) -> dict[str, str]:
    if new_head not in movers:
        raise RuleViolation(
            "新しい世帯主は異動者の中から選びます / the new head must be one of the movers"
        )
    check_relationships_cover(relationships, [a for a in movers if a != new_head])
    return {**relationships, new_head: HEAD}


def _unique(atena_nos: list[str]) -> list[str]:
    if len(set(atena_nos)) != len(atena_nos):
        raise RuleViolation("同じ宛名番号が重複しています / a person is listed twice")
    return atena_nos


def _same_address(a: Person, b: Person) -> bool:
    return (a.address_town_code, a.address.split(" ")[0]) == (
        b.address_town_code,
        b.address.split(" ")[0],
    )


def _lives_at(person: Person, address: WardAddress, addresses: AddressBook) -> bool:
    """Tell whether a person already lives at an address, however it was typed (8-1 = 8番1号)."""
    try:
        current = addresses.parse_ward_address(person.address)
    except AddressError:
        return person.address == address.full_text
    key = (address.town_code, address.chome, address.banchi_numbers, address.katagaki)
    return (current.town_code, current.chome, current.banchi_numbers, current.katagaki) == key


def _head(rows: list[HistoryRow]) -> HistoryRow:
    return next(row for row in rows if row.person.is_head)


def plan_move_within_ward(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    """転居: whole households keep their number; part of one forms or joins a household."""
    assert isinstance(request, MoveWithinWard)
    movers = _unique(request.atena_nos)
    rows = [view.resident(a) for a in movers]
    address = view.addresses.parse_ward_address(request.address)
    if all(_lives_at(row.person, address, view.addresses) for row in rows):
        raise RuleViolation("転居先が現住所と同じです / the new address is the current one")
    items = {
        **address_items(address),
        "address_since": request.occurred_on,
        "notified_on": request.notified_on,
    }
    if request.join_household_no is not None:
        target = _head(view.members(request.join_household_no)).person
        if target.address != address.full_text:
            raise RuleViolation("転居先の世帯の住所と一致しません / the household lives elsewhere")
        check_relationships_cover(request.relationships, movers)
        return [
            _place(r, request.join_household_no, request.relationships[r.atena_no], **items)
            for r in rows
        ]
    if request.new_head is not None:
        relations = _relationships_with_head(request.relationships, movers, request.new_head)
        household_no = view.allocate_household_no()
        return [_place(r, household_no, relations[r.atena_no], **items) for r in rows]
    _require_whole_households(rows, view)
    if request.relationships:
        raise RuleViolation(
            "世帯全員の転居では続柄は変わりません / relationships stay on a whole move"
        )
    return [_place(r, r.person.household_no, r.person.relationship, **items) for r in rows]


def _require_whole_households(rows: list[HistoryRow], view: RegisterView) -> None:
    moving = {row.atena_no for row in rows}
    for household_no in {row.person.household_no for row in rows}:
        members = {m.atena_no for m in view.members(household_no)}
        if not members <= moving:
            raise RuleViolation(
                "世帯の一部が転居する場合は新しい世帯主か転居先の世帯を指定してください / "
                "for a partial move, name a new head or the household they join"
            )


def plan_separation(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    """世帯分離: some members form a new household at the same address."""
    assert isinstance(request, HouseholdSeparation)
    movers = _unique(request.atena_nos)
    rows = [view.resident(a) for a in movers]
    households = {row.person.household_no for row in rows}
    if len(households) != 1:
        raise RuleViolation(
            "世帯分離は同じ世帯の世帯員について行います / movers must share a household"
        )
    if len(view.members(households.pop())) == len(rows):
        raise RuleViolation(
            "世帯全員は分離できません / a whole household cannot separate from itself"
        )
    relations = _relationships_with_head(request.relationships, movers, request.new_head)
    household_no = view.allocate_household_no()
    return [_place(r, household_no, relations[r.atena_no]) for r in rows]


def _join(
    rows: list[HistoryRow], into: str, relationships: Mapping[str, str], view: RegisterView
) -> list[PlannedRow]:
    target = _head(view.members(into)).person
    for row in rows:
        if row.person.household_no == into:
            raise StateConflict("既にその世帯の世帯員です / already a member of that household")
        if not _same_address(row.person, target):
            raise RuleViolation(
                "住所が異なる世帯とは世帯変更・合併できません (転居で行います) / "
                "households at different addresses: use a move instead"
            )
    check_relationships_cover(relationships, [r.atena_no for r in rows])
    return [_place(r, into, relationships[r.atena_no]) for r in rows]


def plan_transfer(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    """世帯変更: members move into another household at the same address."""
    assert isinstance(request, HouseholdTransfer)
    rows = [view.resident(a) for a in _unique(request.atena_nos)]
    return _join(rows, request.into_household_no, request.relationships, view)


def plan_merger(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    """世帯合併: a whole household joins another at the same address."""
    assert isinstance(request, HouseholdMerger)
    if request.household_no == request.into_household_no:
        raise RuleViolation("同じ世帯どうしは合併できません / cannot merge a household into itself")
    rows = view.members(request.household_no)
    return _join(rows, request.into_household_no, request.relationships, view)


def plan_head_change(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    """世帯主変更: a member becomes head; everyone else gets a 続柄 to the new head."""
    assert isinstance(request, HeadChange)
    members = view.members(request.household_no)
    by_no = {m.atena_no: m for m in members}
    new_head = by_no.get(request.new_head)
    if new_head is None:
        raise RuleViolation(
            "新しい世帯主はこの世帯の世帯員ではありません / new head is not a member"
        )
    if new_head.person.is_head:
        raise RuleViolation("既に世帯主です / already the head")
    relations = _relationships_with_head(request.relationships, list(by_no), request.new_head)
    return [_place(m, request.household_no, relations[m.atena_no]) for m in members]
