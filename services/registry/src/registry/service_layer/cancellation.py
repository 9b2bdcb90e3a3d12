"""Gather what a 異動の取消し restores: the cancelled change and its listed dependents (spec 4.6).

The rules of dependence are in ``domain/cancellation.py``; this module reads the history they
apply to, refuses a 取消し that would leave a dependent standing (409 with the list), and maps
each person to the row they had before the earliest cancelled change that touched them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from uuid import UUID

from jumin_contracts.dates import PartialDate

from registry.domain.cancellation import (
    Footprint,
    RowChange,
    check_also_cancel,
    dependents,
    footprint,
)
from registry.domain.change_requests import Cancellation
from registry.domain.changes import ChangeStatus
from registry.domain.errors import NotFound, StateConflict
from registry.domain.model import HistoryRow
from registry.service_layer.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Restoration:
    """Everyone a 取消し restores: their row before it (None: void) and the 異動日 it takes effect."""

    before: dict[str, HistoryRow | None]
    restore_on: dict[str, PartialDate]


async def plan_inputs(uow: UnitOfWork, request: Cancellation) -> Restoration:
    """Check a 取消し against the later changes and return whom it restores, to what."""
    target = await uow.changes.get(request.target_change_id)
    if target is None or target.status is not ChangeStatus.APPROVED:
        raise NotFound("取り消す異動が本登録されていません / no such approved change")
    written = await uow.history.rows_of_changes([request.target_change_id])
    if not written:
        raise StateConflict("この異動は記録を書いていません / the change wrote no rows")
    cancelled = await uow.changes.cancelled_since(written[0].recorded_at)
    if request.target_change_id in cancelled:
        raise StateConflict("この異動は既に取り消されています / the change is already cancelled")
    rows = {request.target_change_id: written}
    target_print = (await _footprints(uow, rows))[0]
    found = await _dependents(uow, target_print, written[0], cancelled, rows)
    check_also_cancel(found, request.also_cancel)
    return _restoration([target_print, *found], rows, await _befores(uow, rows))


async def _dependents(
    uow: UnitOfWork,
    target: Footprint,
    first: HistoryRow,
    cancelled: set[UUID],
    rows: dict[UUID, list[HistoryRow]],
) -> list[Footprint]:
    """Find the transitive dependents, widening the search until it finds no new change."""
    found: list[Footprint] = []
    while True:
        chosen = [target, *found]
        people = set().union(*(c.people for c in chosen))
        households = set().union(*(c.heads_set | c.left | c.placed for c in chosen))
        ids = await uow.history.changes_touching_after(first.recorded_at, people, households)
        new = [i for i in ids if i not in rows and i not in cancelled]
        if not new:
            return found
        for row in await uow.history.rows_of_changes(new):
            rows.setdefault(row.change_id, []).append(row)
        later = [rows[i] for i in _in_order(rows) if i != target.change_id]
        found = dependents(target, await _footprints(uow, {r[0].change_id: r for r in later}))


def _in_order(rows: dict[UUID, list[HistoryRow]]) -> list[UUID]:
    return sorted(rows, key=lambda i: (rows[i][0].recorded_at, str(i)))


async def _befores(
    uow: UnitOfWork, rows: dict[UUID, list[HistoryRow]]
) -> dict[tuple[str, int], HistoryRow]:
    keys = {(r.atena_no, r.history_no - 1) for rs in rows.values() for r in rs if r.history_no > 1}
    return await uow.history.rows_by_key(keys)


async def _footprints(uow: UnitOfWork, rows: dict[UUID, list[HistoryRow]]) -> list[Footprint]:
    """Summarise each change's rows (each person: the row before the change and the last one)."""
    befores = await _befores(uow, rows)
    prints = []
    for change_id in _in_order(rows):
        changes = []
        for atena_no, own in groupby(rows[change_id], key=lambda r: r.atena_no):
            mine = list(own)
            before = befores.get((atena_no, mine[0].history_no - 1))
            changes.append(RowChange(atena_no, before.person if before else None, mine[-1].person))
        prints.append(footprint(change_id, rows[change_id][0].change_kind, changes))
    return prints


def _restoration(
    chosen: list[Footprint],
    rows: dict[UUID, list[HistoryRow]],
    befores: dict[tuple[str, int], HistoryRow],
) -> Restoration:
    """Map each person to their row before the earliest chosen change that touched them."""
    before: dict[str, HistoryRow | None] = {}
    restore_on: dict[str, PartialDate] = {}
    for change in chosen:
        for row in rows[change.change_id]:
            if row.atena_no in before:
                continue
            before[row.atena_no] = befores.get((row.atena_no, row.history_no - 1))
            restore_on[row.atena_no] = row.occurred_on
    return Restoration(before, restore_on)
