"""The ward office's calendar: national holidays (with 振替休日 and 国民の休日) and 年末年始."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from registry.domain.office_calendar import closed_days


def test_national_holidays_of_a_month_are_closed() -> None:
    assert closed_days(date(2026, 11, 1), date(2026, 11, 30)) == [
        date(2026, 11, 3),  # 文化の日
        date(2026, 11, 23),  # 勤労感謝の日
    ]


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 5, 6),  # 振替休日 for 憲法記念日 on a Sunday
        date(2026, 9, 22),  # 国民の休日 between 敬老の日 and 秋分の日
        date(2026, 1, 12),  # 成人の日 (second Monday)
        date(2027, 2, 23),  # 天皇誕生日
    ],
)
def test_substitute_and_sandwiched_holidays_are_closed(day: date) -> None:
    assert closed_days(day, day) == [day]


def test_the_new_year_break_runs_from_29_december_to_3_january() -> None:
    days = closed_days(date(2026, 12, 26), date(2027, 1, 6))

    assert date(2026, 12, 28) not in days
    assert [d for d in days if d.month == 12] == [
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
    ]
    assert [d for d in days if d.month == 1] == [
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
    ]
    assert date(2027, 1, 4) not in days


def test_ordinary_weekdays_and_plain_weekends_are_not_listed() -> None:
    days = closed_days(date(2026, 11, 4), date(2026, 11, 8))

    # weekends are closed too, but the analysis recognises them by weekday, not from this list
    assert days == []


def test_a_day_range_is_inclusive_and_an_empty_range_has_no_days() -> None:
    holiday = date(2026, 11, 3)

    assert closed_days(holiday, holiday) == [holiday]
    assert closed_days(holiday + timedelta(days=1), holiday) == []


def test_a_whole_year_lists_each_closed_day_once_and_in_order() -> None:
    days = closed_days(date(2026, 1, 1), date(2026, 12, 31))

    assert days == sorted(set(days))
    # 18 national holidays (incl. 振替休日 and 国民の休日) plus 1/2, 1/3 and 12/29–31 (元日 is one)
    assert len(days) == 18 + 5
    assert all(d.year == 2026 for d in days)
