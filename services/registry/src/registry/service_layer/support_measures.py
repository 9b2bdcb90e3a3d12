"""Use cases of 支援措置 (spec 3.4): set, confirm, extend, end; and the disclosure check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from uuid import UUID

from registry.domain.errors import NotFound, SupportMeasureBlock
from registry.domain.support_measures import SupportMeasure, new_measure
from registry.service_layer.unit_of_work import UnitOfWork

Clock = Callable[[], datetime]


async def set_measure(
    *,
    uow: UnitOfWork,
    measure_id: UUID,
    atena_no: str,
    starts_on: date,
    ends_on: date | None,
    provisional: bool,
    staff_id: str,
    clock: Clock,
) -> SupportMeasure:
    """Open a 支援措置 (or 仮支援措置) over a person on the register."""
    async with uow:
        if not await uow.history.current([atena_no]):
            raise NotFound(f"宛名番号 {atena_no} の住民はいません / no such person")
        measure = new_measure(
            measure_id=measure_id,
            atena_no=atena_no,
            starts_on=starts_on,
            ends_on=ends_on,
            provisional=provisional,
            by=staff_id,
            at=clock(),
        )
        await uow.support_measures.save(measure)
        await uow.commit()
    return measure


async def _update(
    uow: UnitOfWork, measure_id: UUID, change: Callable[[SupportMeasure], SupportMeasure]
) -> SupportMeasure:
    async with uow:
        measure = await uow.support_measures.get(measure_id)
        if measure is None:
            raise NotFound("指定された支援措置はありません / no such support measure")
        updated = change(measure)
        await uow.support_measures.save(updated)
        await uow.commit()
    return updated


async def extend_measure(
    *, uow: UnitOfWork, measure_id: UUID, staff_id: str, clock: Clock
) -> SupportMeasure:
    """Extend a measure by one year from the day after its end (延長)."""
    now = clock()
    return await _update(uow, measure_id, lambda m: m.extend(by=staff_id, at=now))


async def confirm_measure(
    *, uow: UnitOfWork, measure_id: UUID, staff_id: str, clock: Clock
) -> SupportMeasure:
    """Confirm a provisional measure after review (仮支援措置 → 支援措置)."""
    now = clock()
    return await _update(uow, measure_id, lambda m: m.confirm(by=staff_id, at=now))


async def end_measure(
    *, uow: UnitOfWork, measure_id: UUID, on: date, reason: str, staff_id: str, clock: Clock
) -> SupportMeasure:
    """End a measure (終了)."""
    now = clock()
    return await _update(
        uow, measure_id, lambda m: m.end(on=on, reason=reason, by=staff_id, at=now)
    )


async def measures_of(*, uow: UnitOfWork, atena_no: str) -> list[SupportMeasure]:
    """List every measure over a person (支援対象者照会)."""
    async with uow:
        return await uow.support_measures.of_person(atena_no)


async def protected_among(*, uow: UnitOfWork, atena_nos: Iterable[str], on: date) -> set[str]:
    """Return which of these people are under an active measure."""
    async with uow:
        return await uow.support_measures.protected_among(atena_nos, on)


def refuse_protected(protected: set[str]) -> None:
    """Refuse to show people under 支援措置 to staff without the right."""
    if protected:
        raise SupportMeasureBlock(
            "支援措置の対象者が含まれるため表示できません。支援措置責任者に確認してください / "
            "a person here is protected by a support measure; ask the support officer"
        )
