"""Use cases on staff work items (作業): list, view, resolve."""

from __future__ import annotations

from uuid import UUID

from registry.adapters.work_item_repository import WorkItemFilter
from registry.domain.change_requests import Amendment
from registry.domain.changes import ChangeStatus
from registry.domain.errors import NotFound, RuleViolation
from registry.domain.work_items import Resolution, WorkItem
from registry.service_layer.handlers import Clock
from registry.service_layer.unit_of_work import UnitOfWork

_LIVE = frozenset({ChangeStatus.PENDING, ChangeStatus.APPROVED})


async def list_work_items(
    *, uow: UnitOfWork, selection: WorkItemFilter, limit: int, offset: int
) -> list[WorkItem]:
    """List work items oldest first (作業一覧)."""
    async with uow:
        return await uow.work_items.list(selection, limit=limit, offset=offset)


async def get_work_item(*, uow: UnitOfWork, work_item_id: UUID) -> WorkItem:
    """Return one work item, refusing an unknown id."""
    async with uow:
        return _found(await uow.work_items.get(work_item_id))


async def resolve_work_item(
    *,
    uow: UnitOfWork,
    work_item_id: UUID,
    how: Resolution,
    change_id: UUID | None,
    reason: str,
    staff_id: str,
    clock: Clock,
) -> WorkItem:
    """Record how a clerk dealt with a work item (処理): once, with who, when and why.

    ``corrected`` names the 修正 (職権修正・誤記修正・軽微な修正) the clerk entered for the same
    person — pending or approved, not rejected or withdrawn.
    """
    async with uow:
        item = _found(await uow.work_items.get(work_item_id, for_update=True))
        resolved = item.resolve(
            how=how, by=staff_id, at=clock(), reason=reason, change_id=change_id
        )
        if change_id is not None:
            await _require_correction(uow, change_id, atena_no=item.atena_no)
        await uow.work_items.save_resolution(resolved)
        await uow.commit()
    return resolved


def _found(item: WorkItem | None) -> WorkItem:
    if item is None:
        raise NotFound("指定された作業はありません / no such work item")
    return item


async def _require_correction(uow: UnitOfWork, change_id: UUID, *, atena_no: str) -> None:
    change = await uow.changes.get(change_id)
    is_correction = (
        change is not None
        and isinstance(change.request, Amendment)
        and change.request.atena_no == atena_no
        and change.status in _LIVE
    )
    if not is_correction:
        raise RuleViolation(
            "change_id は本人の修正 (職権修正等) の異動で、仮登録か本登録のものを指定してください / "
            "change_id must name a pending or approved correction of the same person"
        )
