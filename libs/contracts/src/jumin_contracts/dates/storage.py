"""Write and read the 保存形式 (storage form) of a `PartialDate`; the table is in `dates`' docstring.

Private to `jumin_contracts.dates`, which calls these from `PartialDate.to_storage`/`from_storage`.
"""

from __future__ import annotations

import re

from jumin_contracts.dates import DatePrecision, PartialDate
from jumin_contracts.dates.calendar import _SEASONS, _era_named, _Range

_MARKS = {"": DatePrecision.EXACT, "~": DatePrecision.ABOUT, "?": DatePrecision.ESTIMATED}


# --- 保存形式 (storage form, table in the module docstring) --------------------------------------


def _storage_text(d: PartialDate) -> str:
    """Write the storage form without the era suffix."""
    year = "xxxx" if d.year is None else f"{d.year:04d}"
    month = f"-{d.month:02d}" if d.month else ""
    match d.precision:
        case DatePrecision.SEASON:
            return f"{year}-{_SEASONS[d.note or ''][0]}"
        case DatePrecision.EARLY | DatePrecision.MID | DatePrecision.LATE:
            return f"{year}{month}-{d.precision.value}{'~' if d.note else ''}"
        case DatePrecision.RANGE:
            return f"{year}-{_Range.from_wording(d.note or '').storage()}"
        case DatePrecision.UNKNOWN:
            return f"{year}{month or '-xx'}-xx"
    mark = next(mark for mark, precision in _MARKS.items() if precision is d.precision)
    return f"{year}{month}{f'-{d.day:02d}' if d.day else ''}{mark}"


def _read_storage(text: str) -> PartialDate | None:
    """Read the storage form, None if *text* is not in it."""
    if text == "xxxx-xx-xx":
        return PartialDate(None, None, None, DatePrecision.UNKNOWN)
    if not (m := re.fullmatch(r"(\d{4})(.*?)(?:@([A-Z]))?", text)):
        return None
    year, tail, era = int(m[1]), m[2], _era_named(m[3]).kanji if m[3] else None
    seasons = {f"-{name}": kanji for kanji, (name, _) in _SEASONS.items()}
    if m := re.fullmatch(r"(?:-(\d{2})(?:-(\d{2}))?)?([~?]?)", tail):
        return _plain(year, m[1], m[2], m[3], era)
    if m := re.fullmatch(r"(?:-(\d{2})|-xx)-xx", tail):
        return _made(year, m[1], None, DatePrecision.UNKNOWN, era=era)
    if tail in seasons:
        return _made(year, None, None, DatePrecision.SEASON, seasons[tail], era)
    if m := re.fullmatch(r"-(\d{2})-(early|mid|late)(~?)", tail):
        return _made(year, m[1], None, DatePrecision(m[2]), "頃" if m[3] else None, era)
    if tail.startswith("-") and (r := _Range.from_storage(tail[1:])):
        return PartialDate(year, r.month, r.day, DatePrecision.RANGE, r.wording(), era)
    return None


def _plain(
    year: int, month: str | None, day: str | None, mark: str, era: str | None
) -> PartialDate | None:
    """Build an exact (mark ""), 頃 ("~") or 推定 ("?") date; None for an unmarked partial one."""
    if not mark and not day:
        return None
    return _made(year, month, day, _MARKS[mark], era=era)


def _made(
    year: int,
    month: str | None,
    day: str | None,
    precision: DatePrecision,
    note: str | None = None,
    era: str | None = None,
) -> PartialDate:
    """Build a PartialDate from matched digit groups."""
    whole_month, whole_day = (int(month) if month else None), (int(day) if day else None)
    return PartialDate(year, whole_month, whole_day, precision, note, era)
