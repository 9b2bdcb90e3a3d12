"""Use cases of the registry: enter a change (仮登録), approve it (本登録), read the register."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from uuid import UUID

from jumin_platform.telemetry import current_traceparent

from registry.adapters.character_variants import unihan_variants
from registry.domain.addresses import AddressBook
from registry.domain.change_requests import Cancellation, ChangeRequest
from registry.domain.changes import Change, ChangeStatus
from registry.domain.errors import NotFound
from registry.domain.model import HistoryRow
from registry.domain.planning import RegisterView, is_ex_officio, plan_change, referenced_people
from registry.domain.planning.koseki import koseki_basis
from registry.domain.rules import PlannedRow
from registry.service_layer.cancellation import Restoration, plan_inputs
from registry.service_layer.characters import refuse_unregistered_gaiji, substitutes_for
from registry.service_layer.code_assignment import assign_juminhyo_codes
from registry.service_layer.numbering import Placeholders, assign_numbers
from registry.service_layer.publication import members_told, messages_for
from registry.service_layer.unit_of_work import UnitOfWork

Clock = Callable[[], datetime]


async def submit_change(
    *,
    uow: UnitOfWork,
    request: ChangeRequest,
    staff_id: str,
    terminal: str | None,
    change_id: UUID,
    addresses: AddressBook,
    clock: Clock,
) -> Change:
    """Check a change against the register as it is and store it as pending (仮登録)."""
    now = clock()
    async with uow:
        await refuse_unregistered_gaiji(uow, request)
        view = await load_view(uow, request, addresses=addresses, today=now.date())
        plan_change(request, view)  # refuse now what approval would refuse
        change = Change(
            change_id=change_id,
            request=request,
            status=ChangeStatus.PENDING,
            created_by=staff_id,
            created_at=now,
            terminal=terminal,
            subjects=tuple(sorted(referenced_people(request)[0])),
        )
        await uow.changes.add(change)
        await uow.commit()
    return change


async def approve_change(
    *, uow: UnitOfWork, change_id: UUID, reviewer_id: str, addresses: AddressBook, clock: Clock
) -> Change:
    """Approve a pending change: append its history rows in one transaction (本登録)."""
    now = clock()
    async with uow:
        change = await uow.changes.get(change_id, for_update=True)
        if change is None:
            raise NotFound("指定された異動はありません / no such change")
        approved = await record_approval(
            uow, change.approve(by=reviewer_id, at=now), addresses=addresses, now=now
        )
        await uow.commit()
    return approved


async def record_approval(
    uow: UnitOfWork, approved: Change, *, addresses: AddressBook, now: datetime
) -> Change:
    """Write an approved change's history and outbox rows inside the caller's transaction."""
    view = await load_view(uow, approved.request, addresses=addresses, today=now.date())
    planned = await assign_numbers(plan_change(approved.request, view), uow.history)
    planned = await assign_juminhyo_codes(
        planned, approved, uow.code_pool, at=now, known=view.current.keys()
    )
    rows = _number_history(planned, approved, view, recorded_at=now)
    await uow.history.append(rows, recorded_at=now)
    await _tell_recipients(uow, approved, rows, view, now=now)
    approved = approved.with_subjects(sorted({row.atena_no for row in rows}))
    await uow.changes.save_decision(approved)
    return approved


async def _tell_recipients(
    uow: UnitOfWork, change: Change, rows: list[HistoryRow], view: RegisterView, *, now: datetime
) -> None:
    """Write one outbox row per (recipient, message), in the approval's own transaction."""
    told = members_told(rows, view)
    everyone = [*rows, *told]
    protected = await uow.support_measures.protected_among(
        {row.atena_no for row in everyone}, now.date()
    )
    gaiji = await substitutes_for(uow, everyone)
    messages = messages_for(
        change,
        rows,
        view,
        publication=uow.publication,
        protected=protected,
        gaiji=gaiji,
        told=told,
    )
    await uow.outbox.add(
        messages, change=change, recorded_at=now, traceparent=current_traceparent()
    )


def _number_history(
    planned: Sequence[PlannedRow], change: Change, view: RegisterView, *, recorded_at: datetime
) -> list[HistoryRow]:
    """Give each row the next 履歴番号 of its person (1, 2, 3 … without gaps)."""
    last = {atena_no: row.history_no for atena_no, row in view.current.items()}
    ex_officio = is_ex_officio(change.request)
    basis = koseki_basis(change.request, recorded_at.date())
    rows = []
    for item in planned:
        last[item.atena_no] = last.get(item.atena_no, 0) + 1
        rows.append(
            HistoryRow(
                atena_no=item.atena_no,
                history_no=last[item.atena_no],
                change_id=change.change_id,
                change_kind=change.request.kind,
                occurred_on=item.occurred_on or change.request.occurred_on,
                recorded_at=recorded_at,
                ex_officio=ex_officio or item.ex_officio,
                person=item.person,
                koseki_basis=basis,
            )
        )
    return rows


async def load_view(
    uow: UnitOfWork, request: ChangeRequest, *, addresses: AddressBook, today: date
) -> RegisterView:
    """Lock and read everyone the change touches: named people and their households' members."""
    people, households = referenced_people(request)
    restoration = Restoration({}, {})
    if isinstance(request, Cancellation):
        restoration = await plan_inputs(uow, request)
        cancelled = restoration.before
        people |= set(cancelled)
        households |= {r.person.household_no for r in cancelled.values() if r is not None}
    named = await uow.history.current(people)
    households |= {row.person.household_no for row in named.values()}
    locked = await uow.history.lock(people, households)
    current = await uow.history.current(set(locked) | people)
    placeholders = Placeholders()
    return RegisterView(
        current=current,
        today=today,
        addresses=addresses,
        allocate_atena_no=placeholders.atena_no,
        allocate_household_no=placeholders.household_no,
        cancelled_rows=restoration.before,
        restore_on=restoration.restore_on,
        variants=unihan_variants,
    )


async def get_change(*, uow: UnitOfWork, change_id: UUID) -> Change:
    """Return one change, pending or approved."""
    async with uow:
        change = await uow.changes.get(change_id)
    if change is None:
        raise NotFound("指定された異動はありません / no such change")
    return change


async def get_history(*, uow: UnitOfWork, atena_no: str) -> list[HistoryRow]:
    """Return every history row of a person (異動履歴照会, spec 2.2.1)."""
    async with uow:
        rows = await uow.history.history(atena_no)
    if not rows:
        raise NotFound(f"宛名番号 {atena_no} の記録はありません / no such person")
    return rows
