"""The synthetic ward's calendar: its fixed "today" and the dates drawn around it."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

REFERENCE_DAY = date(2026, 10, 1)
JST = timezone(timedelta(hours=9))
YEAR = 365.25


def years_old(birth: date, on: date = REFERENCE_DAY) -> int:
    """Return someone's age in whole years on a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def draw_filed(rng: random.Random, occurred: date) -> tuple[date, datetime]:
    """Return a 届出日 within 14 days of the event and the approval time after it."""
    notified = min(occurred + timedelta(days=rng.randint(0, 14)), REFERENCE_DAY)
    return notified, draw_recorded_at(rng, notified)


def draw_recorded_at(rng: random.Random, day: date) -> datetime:
    """Return an approval time (処理日時) in office hours within 3 days of a day."""
    recorded = min(day + timedelta(days=rng.randint(0, 3)), REFERENCE_DAY)
    return datetime.combine(recorded, time(rng.randint(9, 16), rng.randrange(60)), JST)
