"""支援措置 (spec 3.4): a one-year period, extension from a month before the end, ending it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest
from registry.domain.errors import RuleViolation, StateConflict
from registry.domain.support_measures import SupportMeasure, new_measure, one_year_from

from .builders import refused

SET_AT = datetime(2020, 4, 1, 9, 0)


def measure(
    starts_on: date, ends_on: date | None = None, *, provisional: bool = False
) -> SupportMeasure:
    """Open a measure over one person, set by the support officer."""
    return new_measure(
        measure_id=uuid4(),
        atena_no="0000000019",
        starts_on=starts_on,
        ends_on=ends_on,
        provisional=provisional,
        by="support01",
        at=SET_AT,
    )


def at(day: date) -> datetime:
    """Return office hours on a day."""
    return datetime(day.year, day.month, day.day, 10, 0)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2020, 4, 1), date(2021, 3, 31)),  # the spec's example: 令和2.4.1 → 令和3.3.31
        (date(2024, 2, 29), date(2025, 2, 28)),  # 閏日 start: no 2月29日 next year
        (date(2023, 3, 1), date(2024, 2, 29)),  # the period ends on a 閏日
        (date(2021, 1, 1), date(2021, 12, 31)),
    ],
)
def test_the_period_defaults_to_one_year(start: date, end: date) -> None:
    assert one_year_from(start) == end
    opened = measure(start)
    assert (opened.starts_on, opened.ends_on) == (start, end)
    assert (opened.created_by, opened.updated_by) == ("support01", "support01")
    assert opened.ended_on is None


def test_the_end_can_be_set_by_hand() -> None:
    opened = measure(date(2020, 4, 1), date(2020, 9, 30))

    assert opened.ends_on == date(2020, 9, 30)


def test_an_end_before_the_start_is_refused() -> None:
    with refused(RuleViolation, "終了年月日が開始年月日より前"):
        measure(date(2020, 4, 1), date(2020, 3, 31))


def test_a_measure_is_active_from_its_first_to_its_last_day() -> None:
    opened = measure(date(2020, 4, 1))

    assert not opened.is_active(date(2020, 3, 31))
    assert opened.is_active(date(2020, 4, 1))
    assert opened.is_active(date(2021, 3, 31))
    assert not opened.is_active(date(2021, 4, 1))


def test_a_provisional_measure_is_active_too() -> None:
    assert measure(date(2020, 4, 1), provisional=True).is_active(date(2020, 4, 1))


def test_an_ended_measure_is_inactive_from_the_day_it_ended() -> None:
    ended = measure(date(2020, 4, 1)).end(
        on=date(2020, 8, 1), reason="支援対象者からの申出", by="support02", at=at(date(2020, 8, 1))
    )

    assert ended.is_active(date(2020, 7, 31))
    assert not ended.is_active(date(2020, 8, 1))
    assert not ended.is_active(date(2021, 3, 31))
    assert (ended.ended_on, ended.end_reason) == (date(2020, 8, 1), "支援対象者からの申出")
    assert (ended.updated_by, ended.created_by) == ("support02", "support01")
    assert ended.ends_on == date(2021, 3, 31)


def test_a_measure_cannot_end_before_it_starts() -> None:
    with refused(RuleViolation, "終了日が開始日より前"):
        measure(date(2020, 4, 1)).end(
            on=date(2020, 3, 31), reason="誤り", by="support01", at=at(date(2020, 4, 2))
        )


def test_a_measure_cannot_end_twice() -> None:
    ended = measure(date(2020, 4, 1)).end(
        on=date(2020, 8, 1), reason="申出", by="support01", at=at(date(2020, 8, 1))
    )

    with refused(StateConflict, "既に終了"):
        ended.end(on=date(2020, 9, 1), reason="申出", by="support01", at=at(date(2020, 9, 1)))


def test_an_extension_before_the_last_month_is_refused() -> None:
    opened = measure(date(2020, 4, 1))  # ends 2021-03-31

    with refused(RuleViolation, "1か月前から"):
        opened.extend(by="support01", at=at(date(2021, 2, 27)))
    with refused(RuleViolation, "1か月前から"):
        opened.extend(by="support01", at=at(date(2020, 4, 1)))


@pytest.mark.parametrize("day", [date(2021, 2, 28), date(2021, 3, 15), date(2021, 3, 31)])
def test_an_extension_runs_one_year_from_the_day_after_the_end(day: date) -> None:
    opened = measure(date(2020, 4, 1))

    extended = opened.extend(by="support02", at=at(day))

    assert extended.starts_on == date(2020, 4, 1)
    assert extended.ends_on == date(2022, 3, 31)
    assert (extended.updated_by, extended.updated_at) == ("support02", at(day))
    assert extended.is_active(date(2021, 4, 1))
    assert extended.is_active(date(2022, 3, 31))
    assert not extended.is_active(date(2022, 4, 1))


def test_an_extension_counts_from_the_day_after_a_hand_set_end() -> None:
    opened = measure(date(2023, 3, 1), date(2024, 2, 28))

    extended = opened.extend(by="support01", at=at(date(2024, 2, 1)))

    assert extended.ends_on == date(2025, 2, 28)  # 2024-02-29 .. 2025-02-28


def test_extending_a_provisional_measure_confirms_it() -> None:
    opened = measure(date(2020, 4, 1), provisional=True)

    assert opened.extend(by="support01", at=at(date(2021, 3, 20))).provisional is False


def test_an_ended_measure_cannot_be_extended() -> None:
    ended = measure(date(2020, 4, 1)).end(
        on=date(2021, 3, 1), reason="必要性がなくなった", by="support01", at=at(date(2021, 3, 1))
    )

    with refused(StateConflict, "終了した支援措置は延長できません"):
        ended.extend(by="support01", at=at(date(2021, 3, 15)))


def test_confirming_turns_a_provisional_measure_into_a_measure_once() -> None:
    confirmed = measure(date(2020, 4, 1), provisional=True).confirm(
        by="support02", at=at(date(2020, 4, 10))
    )

    assert confirmed.provisional is False
    with refused(StateConflict, "既に支援措置が開始"):
        confirmed.confirm(by="support02", at=at(date(2020, 4, 11)))


def test_staff_are_alerted_when_the_period_ends_within_a_month() -> None:
    opened = measure(date(2020, 4, 1))  # ends 2021-03-31
    last = opened.ends_on

    assert not opened.ends_within_a_month(date(2020, 4, 1))
    assert not opened.ends_within_a_month(last - timedelta(days=32))
    assert opened.ends_within_a_month(last - timedelta(days=31))
    assert opened.ends_within_a_month(date(2021, 3, 15))
    assert opened.ends_within_a_month(last)
    assert not opened.ends_within_a_month(last + timedelta(days=1))  # over: no longer in force


def test_an_ended_measure_raises_no_end_of_period_alert() -> None:
    ended = measure(date(2020, 4, 1)).end(
        on=date(2021, 3, 1), reason="申出", by="support01", at=at(date(2021, 3, 1))
    )

    assert not ended.ends_within_a_month(date(2021, 3, 15))
