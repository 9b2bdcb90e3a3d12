"""年月日 as the external systems write them: 8 digits `YYYYMMDD`, unknown parts as zeros (pure).

Errors name the rule, never the value (the value may be a date of birth).
"""

from __future__ import annotations

import calendar
from datetime import date

__all__ = ["exact_date", "partial_date"]


def exact_date(text: str) -> date:
    """Read an exact `YYYYMMDD` (an 異動日 has no unknown parts); ValueError otherwise."""
    year, month, day = _parts(text)
    return date(year, month, day)


def partial_date(text: str) -> str:
    """Read `YYYYMMDD` with zeros for unknown parts (年月日不詳) as `YYYY-MM-DD`, zeros kept."""
    year, month, day = _parts(text, unknown_allowed=True)
    return f"{year:04d}-{month:02d}-{day:02d}"


def _parts(text: str, *, unknown_allowed: bool = False) -> tuple[int, int, int]:
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise ValueError("not YYYYMMDD")
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    if not _fits(year, month, day, unknown_allowed=unknown_allowed):
        raise ValueError("not a date (unknown parts must be trailing zeros)")
    return year, month, day


def _fits(year: int, month: int, day: int, *, unknown_allowed: bool) -> bool:
    if not unknown_allowed and 0 in (year, month, day):
        return False
    if year == 0:
        return month == 0 and day == 0
    if month == 0:
        return day == 0
    return month <= 12 and (day == 0 or day <= calendar.monthrange(year, month)[1])
