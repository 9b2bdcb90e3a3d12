"""Plan what the register records on notice from outside: 個人番号 from J-LIS, 転入通知 (spec 4.1.3.1).

Both arrive as commands from CS and are recorded 職権 without a 届出; staff may also enter them
(a 転入通知 received on paper, spec 4.1.3.1.3; a 個人番号 left out by mistake, 番号法施行令12条3項).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jumin_contracts.codes import ChangeKind

from registry.domain.change_requests import MoveInNotice, MyNumberEntry
from registry.domain.errors import NotFound, NothingToChange, RuleViolation, StateConflict
from registry.domain.model import HistoryRow, RecordStatus
from registry.domain.rules import PlannedRow, check_numbers

if TYPE_CHECKING:
    from registry.domain.planning import RegisterView

NOTICE_REMOVAL_KINDS = frozenset({ChangeKind.DOMESTIC_MOVE_OUT, ChangeKind.EX_OFFICIO_REMOVAL})
"""Removals a 転入通知 can follow: a 転出, or a 職権消除 after an 実態調査 (spec 4.1.3.1.1)."""


def _recorded(view: RegisterView, atena_no: str) -> HistoryRow:
    """Return a person's current row, resident or removed (除票), refusing a voided one."""
    row = view.current.get(atena_no)
    if row is None or row.person.status is RecordStatus.VOID:
        raise NotFound(f"宛名番号 {atena_no} の記録はありません / no such person")
    return row


def plan_my_number_entry(request: MyNumberEntry, view: RegisterView) -> list[PlannedRow]:
    """Record a 個人番号 on the person's record (a 除票 too: the number stays the person's)."""
    row = _recorded(view, request.atena_no)
    check_numbers(my_number=request.my_number, juminhyo_code=None)
    # plain digits: history.append seals them and computes the lookup hash
    person = row.person.evolve(my_number=request.my_number, my_number_hash=None)
    # On top of a 転出 dated later (転出予定者) the row keeps that date: dated today, the copy of
    # the removal would remove the person today.
    later = row.occurred_on if row.occurred_on.sort_key() > view.today else None
    return [PlannedRow(request.atena_no, person, ex_officio=True, occurred_on=later)]


def plan_move_in_notice(request: MoveInNotice, view: RegisterView) -> list[PlannedRow]:
    """Keep the 確定 転出 date and address beside the 予定 ones; the row keeps the 転出's 異動日."""
    row = _recorded(view, request.atena_no)
    person = row.person
    if person.is_resident or person.removal_kind not in NOTICE_REMOVAL_KINDS:
        raise StateConflict(
            "転入通知を受理できるのは転出又は職権消除された者だけです / "
            "a move-in notice applies only to someone removed by a move-out or ex officio"
        )
    if request.confirmed_on > view.today:
        raise RuleViolation(
            "転出年月日 (確定) が未来の日付です / the confirmed date is in the future"
        )
    destination = view.addresses.check_outside_address(request.confirmed_destination).full_text
    updated = person.evolve(
        confirmed_move_out_on=request.confirmed_on, confirmed_destination=destination
    )
    if updated == person:
        raise NothingToChange("この転入通知は受理済みです / this notice is already recorded")
    return [PlannedRow(request.atena_no, updated, ex_officio=True, occurred_on=row.occurred_on)]
