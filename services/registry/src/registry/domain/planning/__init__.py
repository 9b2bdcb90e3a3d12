"""Turn an approved change request into the history rows it appends (spec chapter 4).

`referenced_people` names whom a request touches (異動者・異動先世帯), so their rows can be read into
the `RegisterView` that `plan_change` plans over; the planners by subject are in `person`,
`household` and `inbound`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from jumin_contracts.codes import HEAD, ResidentType
from jumin_contracts.dates import PartialDate

from registry.domain.addresses import AddressBook
from registry.domain.change_requests import (
    Amendment,
    Cancellation,
    ChangeRequest,
    EntryChange,
    HeadChange,
    HouseholdMerger,
    HouseholdSeparation,
    HouseholdTransfer,
    JuminhyoCodeChange,
    LossOfNationality,
    MoveInNotice,
    MoveWithinWard,
    MyNumberChange,
    MyNumberEntry,
    Naturalization,
    RemovalChange,
    ResidenceStatusChange,
)
from registry.domain.errors import NotFound, RuleViolation, StateConflict
from registry.domain.model import HistoryRow, RecordStatus
from registry.domain.planning import household as hp
from registry.domain.planning import numbers
from registry.domain.planning import person as pp
from registry.domain.planning.inbound import plan_move_in_notice, plan_my_number_entry
from registry.domain.planning.koseki import KOSEKI_KINDS, koseki_basis
from registry.domain.rules import (
    EX_OFFICIO_KINDS,
    MOVE_OUT_KINDS,
    PlannedRow,
    check_dates,
    check_one_head,
    household_after,
    is_late_filing,
)
from registry.domain.wording import CharacterVariants, no_variants


@dataclass(kw_only=True)
class RegisterView:
    """Give the planner what it may read: the current rows of everyone a change touches.

    ``current`` holds the latest row of every person named by the request and of every resident
    member of the households involved; ``before`` (cancellations only) maps each person the
    cancelled change touched to the row they had before it, or None if it entered them.
    """

    current: Mapping[str, HistoryRow]
    today: date
    addresses: AddressBook
    allocate_atena_no: Callable[[], str]
    allocate_household_no: Callable[[], str]
    cancelled_rows: Mapping[str, HistoryRow | None] = field(default_factory=dict)
    restore_on: Mapping[str, PartialDate] = field(default_factory=dict)  # 取消し: 異動日 per person
    variants: CharacterVariants = no_variants  # 異体字 pairs, for 軽微な修正 of 氏名

    def resident(self, atena_no: str) -> HistoryRow:
        """Return a person's current row, refusing anyone not on the register."""
        row = self.current.get(atena_no)
        if row is None:
            raise NotFound(f"宛名番号 {atena_no} の住民はいません / no such resident")
        if not row.person.is_resident and row.occurred_on.sort_key() > self.today:
            raise StateConflict(
                f"宛名番号 {atena_no} は転出予定者です (転出予定日 {row.occurred_on.sort_key()})。"
                "先に転出を取り消してください / the person's move-out is already approved for a "
                "later day; cancel it first"
            )
        if not row.person.is_resident:
            raise StateConflict(
                f"宛名番号 {atena_no} は既に消除されています / the person is no longer resident"
            )
        return row

    def members(self, household_no: str) -> list[HistoryRow]:
        """Return the resident members of a household, refusing an unknown one."""
        rows = [
            row
            for row in self.current.values()
            if row.person.household_no == household_no and row.person.is_resident
        ]
        if not rows:
            raise NotFound(f"世帯番号 {household_no} の世帯はありません / no such household")
        return sorted(rows, key=lambda r: r.atena_no)


Planner = Callable[[ChangeRequest, RegisterView], list[PlannedRow]]


def plan_change(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    """Check a request against the register and return the rows it appends, in order."""
    check_dates(
        kind=request.kind,
        occurred_on=request.occurred_on,
        notified_on=request.notified_on,
        today=view.today,
    )
    koseki_basis(request, view.today)  # refuse 戸籍届出 facts that cannot be true
    rows = _PLANNERS[type(request)](request, view)
    rows = _resolve_headless(rows, view)
    _check_households(rows, view)
    return rows


def is_ex_officio(request: ChangeRequest) -> bool:
    """Say whether a change is recorded 職権 (incl. a 転出 filed over 14 days late).

    出生 and 死亡 are 職権記載 / 職権消除 on a 戸籍届出 (``planning.koseki``).
    """
    if request.kind in EX_OFFICIO_KINDS or request.kind in KOSEKI_KINDS:
        return True
    is_move_out = request.kind in MOVE_OUT_KINDS
    return is_move_out and is_late_filing(request.occurred_on, request.notified_on)


def referenced_people(request: ChangeRequest) -> tuple[set[str], set[str]]:
    """Return the 宛名番号 and 世帯番号 a request names (not those it will create)."""
    match request:
        case EntryChange():
            return set(), _optional(request.join_household_no)
        case RemovalChange() | HouseholdSeparation():
            return set(request.atena_nos), set()
        case MoveWithinWard():
            return set(request.atena_nos), _optional(request.join_household_no)
        case HouseholdTransfer():
            return set(request.atena_nos), {request.into_household_no}
        case HouseholdMerger():
            return set(), {request.household_no, request.into_household_no}
        case HeadChange():
            return {request.new_head}, {request.household_no}
        case Amendment() | ResidenceStatusChange() | Naturalization() | LossOfNationality():
            return {request.atena_no}, set()
        case MyNumberEntry() | MoveInNotice() | MyNumberChange() | JuminhyoCodeChange():
            return {request.atena_no}, set()
        case Cancellation():
            return set(), set()


def _optional(value: str | None) -> set[str]:
    return set() if value is None else {value}


def _touched_households(rows: list[PlannedRow], view: RegisterView) -> set[str]:
    households = {row.person.household_no for row in rows}
    for row in rows:
        before = view.current.get(row.atena_no)
        if before is not None:
            households.add(before.person.household_no)
    return households


def _resolve_headless(rows: list[PlannedRow], view: RegisterView) -> list[PlannedRow]:
    """Make the one remaining member head ex officio when the head leaves (spec 4.0.4)."""
    extra: list[PlannedRow] = []
    for household_no in sorted(_touched_households(rows, view)):
        members = household_after(household_no, members=view.current, planned=rows)
        if len(members) == 1 and not members[0][1].is_head:
            atena_no, person = members[0]
            new_head = person.evolve(is_head=True, relationship=HEAD)
            extra.append(PlannedRow(atena_no, new_head, ex_officio=True))
    return rows + extra


def _check_households(rows: list[PlannedRow], view: RegisterView) -> None:
    for household_no in sorted(_touched_households(rows, view)):
        check_one_head(
            household_no, household_after(household_no, members=view.current, planned=rows)
        )


def _plan_entry(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    assert isinstance(request, EntryChange)
    return pp.plan_entry(request, view, ex_officio=is_ex_officio(request))


def _plan_removal(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    assert isinstance(request, RemovalChange)
    if len(set(request.atena_nos)) != len(request.atena_nos):  # else two 消除 rows for one person
        raise RuleViolation("同じ宛名番号が重複しています / a person is listed twice")
    destination = pp.removal_destination(request, view.addresses)
    ex_officio = is_ex_officio(request)
    rows = []
    for atena_no in request.atena_nos:
        person = view.resident(atena_no).person
        removed = person.evolve(
            status=RecordStatus.REMOVED,
            removed_on=request.occurred_on,
            removal_kind=request.kind,
            planned_move_out_on=pp.planned_move_out_on(request),
            move_out_destination=destination,
            notified_on=request.notified_on,
        )
        rows.append(PlannedRow(atena_no, removed, ex_officio))
    return rows


def _plan_amendment(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    assert isinstance(request, Amendment)
    return pp.plan_amendment(request, view)


def _plan_residence_status(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    assert isinstance(request, ResidenceStatusChange)
    row = view.resident(request.atena_no)
    return [pp.plan_residence_status(request, row.person, today=view.today, atena_no=row.atena_no)]


def _plan_naturalization(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    assert isinstance(request, Naturalization)
    row = view.resident(request.atena_no)
    pp.require_type(row.person, ResidentType.FOREIGN, request.kind)
    return pp.plan_nationality_switch(row, pp.naturalized(request, row.person), request)


def _plan_loss(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    assert isinstance(request, LossOfNationality)
    row = view.resident(request.atena_no)
    pp.require_type(row.person, ResidentType.JAPANESE, request.kind)
    foreign = pp.denaturalized(request, row.person, today=view.today)
    return pp.plan_nationality_switch(row, foreign, request)


def _plan_my_number(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    assert isinstance(request, MyNumberEntry)
    return plan_my_number_entry(request, view)


def _plan_my_number_change(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    assert isinstance(request, MyNumberChange)
    return numbers.plan_my_number_change(request, view, ex_officio=is_ex_officio(request))


def _plan_juminhyo_code_change(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    assert isinstance(request, JuminhyoCodeChange)
    return numbers.plan_juminhyo_code_change(request, view)


def _plan_move_in_notice(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    assert isinstance(request, MoveInNotice)
    return plan_move_in_notice(request, view)


def _plan_cancellation(request: ChangeRequest, view: RegisterView) -> list[PlannedRow]:
    """Restore everyone as before the cancelled change, from its 異動日 on (spec 4.6).

    The restoring row keeps the 異動日 of the person's earliest cancelled row, so an as-of read
    for any date after it shows the change as never made, while a read as known before the 取消
    still shows it.
    """
    assert isinstance(request, Cancellation)
    rehoused = _households_moved_away(view)
    rows = []
    for atena_no, before in sorted(view.cancelled_rows.items()):
        cancelled = view.current[atena_no]
        if before is None:
            restored = cancelled.person.evolve(status=RecordStatus.VOID)
        else:
            household_no = before.person.household_no
            restored = before.person.evolve(household_no=rehoused.get(household_no, household_no))
        occurred_on = view.restore_on.get(atena_no, cancelled.occurred_on)
        rows.append(PlannedRow(atena_no, restored, True, occurred_on=occurred_on))
    return rows


def _households_moved_away(view: RegisterView) -> dict[str, str]:
    """Give a new 世帯番号 to people returning to a 世帯 that has since moved (spec 4.6.0.1).

    Whoever returns comes back to the former 世帯 at its address; if the rest of it now lives
    elsewhere, they come back to their former address as a new 世帯.
    """
    moved: dict[str, str] = {}
    for before in view.cancelled_rows.values():
        if before is None or not before.person.is_resident:
            continue
        household_no, street = before.person.household_no, before.person.address.split(" ")[0]
        rest = [
            row.person
            for row in view.current.values()
            if row.person.household_no == household_no
            and row.person.is_resident
            and row.atena_no not in view.cancelled_rows
        ]
        if any(p.address.split(" ")[0] != street for p in rest) and household_no not in moved:
            moved[household_no] = view.allocate_household_no()
    return moved


_PLANNERS: dict[type, Planner] = {
    EntryChange: _plan_entry,
    RemovalChange: _plan_removal,
    MoveWithinWard: hp.plan_move_within_ward,
    HouseholdSeparation: hp.plan_separation,
    HouseholdMerger: hp.plan_merger,
    HouseholdTransfer: hp.plan_transfer,
    HeadChange: hp.plan_head_change,
    Amendment: _plan_amendment,
    ResidenceStatusChange: _plan_residence_status,
    Naturalization: _plan_naturalization,
    LossOfNationality: _plan_loss,
    MyNumberEntry: _plan_my_number,
    MyNumberChange: _plan_my_number_change,
    JuminhyoCodeChange: _plan_juminhyo_code_change,
    MoveInNotice: _plan_move_in_notice,
    Cancellation: _plan_cancellation,
}
