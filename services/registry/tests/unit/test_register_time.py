"""The one meaning of "now" for reads, and the 転出予定 a read shows (registry.domain.register_time)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from jumin_contracts.codes import ChangeKind
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.model import HistoryRow, RecordStatus
from registry.domain.register_time import planned_departure, read_point, ward_today

from .builders import HOME, NAKANO, TODAY, atena, household_no, on, resident

TARO = atena(1)
PLANNED = TODAY + timedelta(days=5)


@pytest.fixture
def in_force(addresses: PostalAddressBook) -> HistoryRow:
    return resident(TARO, household=household_no(1), at=addresses.parse_ward_address(HOME))


def _move_out(row: HistoryRow, *, day: date = PLANNED, filed: datetime | None = None) -> HistoryRow:
    removed = row.person.evolve(
        status=RecordStatus.REMOVED,
        removed_on=on(day),
        removal_kind=ChangeKind.DOMESTIC_MOVE_OUT,
        planned_move_out_on=day,
        move_out_destination=NAKANO,
    )
    return dataclasses.replace(
        row,
        history_no=row.history_no + 1,
        change_kind=ChangeKind.DOMESTIC_MOVE_OUT,
        occurred_on=on(day),
        recorded_at=filed or datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
        person=removed,
    )


def test_today_is_the_ward_office_calendar_day_in_tokyo() -> None:
    late_evening_utc = datetime(2026, 12, 7, 21, 50, tzinfo=UTC)  # 06:50 on the 8th in Tokyo

    assert ward_today(late_evening_utc) == date(2026, 12, 8)
    assert read_point(late_evening_utc).on == date(2026, 12, 8)


def test_a_default_read_sees_every_approved_row_and_an_explicit_one_what_it_asks() -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    asked = datetime(2026, 1, 1, tzinfo=UTC)

    assert read_point(now).known_at is None
    assert read_point(now, on=date(2025, 1, 1), known_at=asked).on == date(2025, 1, 1)
    assert read_point(now, known_at=asked).known_at == asked


def test_a_removal_dated_later_is_a_planned_departure(in_force: HistoryRow) -> None:
    departure = planned_departure(in_force, _move_out(in_force), on=TODAY)

    assert departure is not None
    assert (departure.kind, departure.planned_on, departure.destination) == (
        ChangeKind.DOMESTIC_MOVE_OUT,
        PLANNED,
        NAKANO,
    )


def test_from_the_planned_day_there_is_no_mark_to_show(in_force: HistoryRow) -> None:
    removal = _move_out(in_force)

    assert planned_departure(removal, removal, on=PLANNED) is None
    assert planned_departure(in_force, in_force, on=TODAY) is None


def test_a_day_before_the_move_out_was_filed_shows_nothing_planned(in_force: HistoryRow) -> None:
    filed = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo on the 27th

    assert planned_departure(in_force, _move_out(in_force, filed=filed), on=TODAY) is not None
    day_before = TODAY - timedelta(days=1)
    assert planned_departure(in_force, _move_out(in_force, filed=filed), on=day_before) is None
