"""Use cases on pending changes (仮登録, spec 4.0.8): list, correct, withdraw, reject, approve many."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from registry.adapters.change_repository import ChangeFilter
from registry.domain.addresses import AddressBook
from registry.domain.change_requests import ChangeRequest
from registry.domain.changes import Change, ChangeStatus
from registry.domain.errors import NotFound, RegistryError, RuleViolation
from registry.domain.planning import plan_change, referenced_people
from registry.service_layer.characters import refuse_unregistered_gaiji
from registry.service_layer.handlers import Clock, approve_change, load_view
from registry.service_layer.unit_of_work import UnitOfWork


async def list_changes(
    *, uow: UnitOfWork, selection: ChangeFilter, limit: int, offset: int
) -> list[Change]:
    """List changes, e.g. the pending ones by terminal or person (仮登録一覧)."""
    async with uow:
        return await uow.changes.list(selection, limit=limit, offset=offset)


async def _pending(uow: UnitOfWork, change_id: UUID) -> Change:
    change = await uow.changes.get(change_id, for_update=True)
    if change is None:
        raise NotFound("指定された異動はありません / no such change")
    return change


async def revise_change(
    *,
    uow: UnitOfWork,
    change_id: UUID,
    request: ChangeRequest,
    staff_id: str,
    addresses: AddressBook,
    clock: Clock,
) -> Change:
    """Replace a pending change's request with a corrected one, checked like a new entry."""
    async with uow:
        change = await _pending(uow, change_id)
        revised = change.revise(by=staff_id, request=request)
        await refuse_unregistered_gaiji(uow, request)
        view = await load_view(uow, request, addresses=addresses, today=clock().date())
        plan_change(request, view)
        revised = revised.with_subjects(sorted(referenced_people(request)[0]))
        await uow.changes.save_revision(revised)
        await uow.commit()
    return revised


async def withdraw_change(
    *, uow: UnitOfWork, change_id: UUID, staff_id: str, reason: str, clock: Clock
) -> Change:
    """Withdraw one's own pending change (取下げ); it never becomes history."""
    async with uow:
        change = (await _pending(uow, change_id)).withdraw(by=staff_id, at=clock(), reason=reason)
        await uow.changes.save_decision(change)
        await uow.commit()
    return change


async def reject_change(
    *, uow: UnitOfWork, change_id: UUID, reviewer_id: str, reason: str, clock: Clock
) -> Change:
    """Reject a pending change with a reason (却下); the maker can enter a new one."""
    async with uow:
        change = await _pending(uow, change_id)
        rejected = change.reject(by=reviewer_id, at=clock(), reason=reason)
        await uow.changes.save_decision(rejected)
        await uow.commit()
    return rejected


@dataclass(frozen=True)
class BatchOutcome:
    """Say what happened to one change of a 一括決裁."""

    change_id: UUID
    change: Change | None
    error: RegistryError | None


async def approve_many(
    *,
    uows: Sequence[UnitOfWork],
    change_ids: Sequence[UUID],
    reviewer_id: str,
    addresses: AddressBook,
    clock: Clock,
) -> list[BatchOutcome]:
    """Approve several changes oldest first, each in its own transaction (一括決裁).

    A change that cannot be approved (self-made, no longer valid) is reported and skipped; the
    others are still approved.
    """
    outcomes = []
    for uow, change_id in zip(uows, change_ids, strict=True):
        try:
            approved = await approve_change(
                uow=uow,
                change_id=change_id,
                reviewer_id=reviewer_id,
                addresses=addresses,
                clock=clock,
            )
            outcomes.append(BatchOutcome(change_id, approved, None))
        except RegistryError as error:
            outcomes.append(BatchOutcome(change_id, None, error))
    return outcomes


async def oldest_first(*, uow: UnitOfWork, change_ids: Sequence[UUID]) -> list[UUID]:
    """Order the ids of a 一括決裁 as the changes were entered; unknown ids go last (404 each)."""
    async with uow:
        known = await uow.changes.oldest_first(change_ids)
    found = set(known)
    return known + [i for i in change_ids if i not in found]


async def pending_ids(*, uow: UnitOfWork, selection: ChangeFilter, limit: int) -> list[UUID]:
    """Return the ids of pending changes matching a selection, oldest first, up to a limit."""
    if selection.status not in (None, ChangeStatus.PENDING):
        raise RuleViolation(
            "一括決裁できるのは仮登録だけです / only pending changes can be approved"
        )
    pending = ChangeFilter(
        status=ChangeStatus.PENDING,
        created_by=selection.created_by,
        atena_no=selection.atena_no,
        terminal=selection.terminal,
    )
    async with uow:
        changes = await uow.changes.list(pending, limit=limit + 1, offset=0)
    if len(changes) > limit:
        raise RuleViolation(
            f"一括決裁は{limit}件までです。条件を絞ってください / "
            f"at most {limit} changes can be approved at once; narrow the selection"
        )
    return [c.change_id for c in changes]
