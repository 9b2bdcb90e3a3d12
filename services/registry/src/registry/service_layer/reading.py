"""Read the register at one point in time: records, households, search, people a change names.

Every read goes through a `ReadPoint` (registry.domain.register_time): by default the ward's
today and every approved row. A person whose last row is a removal dated later (転出予定者) is
shown as the resident they still are, with the planned departure beside the row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from registry.adapters.search_repository import SearchCriteria
from registry.domain.changes import Change
from registry.domain.errors import NotFound
from registry.domain.model import HistoryRow, RecordStatus
from registry.domain.register_time import (
    PlannedDeparture,
    ReadPoint,
    planned_departure,
    takes_effect_later,
)
from registry.service_layer.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Reading:
    """One person's row in force at the read's point, and a 転出予定 if one is pending."""

    row: HistoryRow
    departure: PlannedDeparture | None = None

    @property
    def atena_no(self) -> str:
        """Return the person's 宛名番号."""
        return self.row.atena_no


@dataclass(frozen=True)
class HouseholdReading:
    """A household's members at the read's point (世帯構成), head first."""

    household_no: str
    members: tuple[Reading, ...]


async def _readings(
    uow: UnitOfWork, latest: dict[str, HistoryRow], point: ReadPoint
) -> dict[str, Reading]:
    """Pair each person's latest known row with the row in force at the point."""
    later = [a for a, row in latest.items() if takes_effect_later(row, on=point.on)]
    in_force = {a: row for a, row in latest.items() if a not in later}
    if later:
        in_force |= await uow.history.in_force(later, on=point.on, known_at=point.known_at)
    return {
        a: Reading(row, planned_departure(row, latest[a], on=point.on))
        for a, row in in_force.items()
    }


async def get_resident(*, uow: UnitOfWork, atena_no: str, point: ReadPoint) -> Reading:
    """Return a person's record at a point (住民票の照会): today by default."""
    async with uow:
        latest = await uow.history.latest_known([atena_no], known_at=point.known_at)
        reading = (await _readings(uow, latest, point)).get(atena_no)
    if reading is None or reading.row.person.status is RecordStatus.VOID:
        raise NotFound(f"宛名番号 {atena_no} の記録はありません / no record for that date")
    return reading


async def get_household(
    *, uow: UnitOfWork, household_no: str, point: ReadPoint
) -> HouseholdReading:
    """Return the members of a household at a point (世帯構成), head first."""
    async with uow:
        members = await uow.history.household_as_of(
            household_no, on=point.on, known_at=point.known_at
        )
        latest = await uow.history.latest_known(
            (m.atena_no for m in members), known_at=point.known_at
        )
    if not members:
        raise NotFound(
            f"世帯番号 {household_no} の世帯はその日にありません / no such household then"
        )
    return HouseholdReading(
        household_no,
        tuple(Reading(m, planned_departure(m, latest[m.atena_no], on=point.on)) for m in members),
    )


async def search(
    *, uow: UnitOfWork, criteria: SearchCriteria, point: ReadPoint, limit: int, offset: int
) -> list[Reading]:
    """Search the register as it stands today (住民検索, spec 2.1); one extra row tells of more.

    A 転出予定者 is found as a resident until the 転出予定日 and as removed from that day.
    """
    async with uow:
        hits = await uow.search.search(criteria, today=point.on, limit=limit + 1, offset=offset)
        readings = await _readings(uow, {row.atena_no: row for row in hits}, point)
    wanted = _shown_statuses(criteria)
    shown = (readings.get(row.atena_no) for row in hits)
    return [r for r in shown if r is not None and r.row.person.status in wanted]


def _shown_statuses(criteria: SearchCriteria) -> frozenset[RecordStatus]:
    if criteria.include_removed:
        return frozenset({RecordStatus.RESIDENT, RecordStatus.REMOVED})
    return frozenset({RecordStatus.RESIDENT})


async def people_now(
    *, uow: UnitOfWork, atena_nos: Iterable[str], point: ReadPoint
) -> dict[str, Reading]:
    """Return the people changes name as they stand at the point (for the 仮登録一覧)."""
    async with uow:
        latest = await uow.history.latest_known(set(atena_nos), known_at=point.known_at)
        return await _readings(uow, latest, point)


def subjects_of(changes: Sequence[Change]) -> set[str]:
    """Collect the 宛名番号 named by some changes."""
    return {atena_no for change in changes for atena_no in change.subjects}
