"""The ward office's calendar: weekends, national holidays (jpholiday) and 年末年始 are closed."""

from __future__ import annotations

from datetime import date, timedelta

import jpholiday


def _new_year_break(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def closed_days(start: date, end: date) -> list[date]:
    """Return the weekdays in [start, end] on which the office is closed (祝日・年末年始)."""
    holidays = {d for d, _ in jpholiday.between(start, end)}
    days = []
    day = start
    while day <= end:
        if day in holidays or _new_year_break(day):
            days.append(day)
        day += timedelta(days=1)
    return days
