"""Hold the calendar facts behind `jumin_contracts.dates`: 元号 (japanera) and 期間 wording.

Private to `jumin_contracts.dates`; the decisions are written down in that module's docstring.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import NamedTuple

import japanera

_SEASONS = {"春": ("spring", 3), "夏": ("summer", 6), "秋": ("autumn", 9), "冬": ("winter", 12)}
_MAX_DAY = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 2月29日 always allowed (spec 1.1.8)


# --- 元号 (from japanera) ---------------------------------------------------------------------


class _Era(NamedTuple):
    """Hold one 元号 from 明治 on, taken from japanera's master data."""

    kanji: str
    letter: str
    since: date
    until: date | None  # first day of the next era

    @property
    def last_day(self) -> date:
        """Return the era's last day; 明治 and 大正 share theirs with the next era (spec 1.1.8)."""
        if self.until is None:
            return date.max
        return self.until if self.kanji in ("明治", "大正") else self.until - timedelta(days=1)


_ERAS = tuple(
    _Era(e.kanji, e.english_head, e.since, e.until)
    for e in japanera.ERA_DATA_GENERAL
    if e.since >= date(1868, 1, 1)
)


def _era_named(name: str) -> _Era:
    """Find a 元号 by kanji (令和) or initial (R)."""
    for era in _ERAS:
        if name in (era.kanji, era.letter):
            return era
    raise ValueError("元号が不明です / unknown era")


def _era_at(day: date) -> _Era | None:
    """Return the 元号 in force on *day* (the newer one on a boundary day), None before 明治."""
    return next((era for era in reversed(_ERAS) if era.since <= day), None)


def _gregorian(era: _Era, era_year: str) -> int:
    """Turn a 和暦 year ("3", "元") into the Gregorian year."""
    return era.since.year + (0 if era_year == "元" else int(era_year) - 1)


def _year_text(era: _Era, year: int) -> str:
    """Write a 和暦 year: 令和3年, 令和元年."""
    relative = year - era.since.year + 1
    return f"{era.kanji}{'元' if relative == 1 else relative}年"


def _clamp(year: int, month: int, day: int) -> date:
    """Build a real date, moving a non-calendar day (2月29日) back to the month's last day."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


# --- 期間 (range) wording ---------------------------------------------------------------------

_RANGE_WORDING = re.compile(
    r"(\d{1,2})月(推定)?(\d{1,2})日(頃)?から(?:(\d{1,2})月)?(推定)?(\d{1,2})日(頃)?までの間"
)
_RANGE_STORAGE = re.compile(r"(\d{2})-(\d{2})([~?]?)\.\.(?:(\d{2})-)?(\d{2})([~?]?)")


class _Range(NamedTuple):
    """Hold 「4月推定5日から5月10日頃までの間」; a mark is "" , "?" (推定) or "~" (頃)."""

    month: int
    day: int
    mark: str
    end_month: int | None  # None: not written (same month)
    end_day: int
    end_mark: str

    @classmethod
    def from_wording(cls, text: str) -> _Range:
        """Read the range wording; raise ValueError if it is not one."""
        if not (m := _RANGE_WORDING.fullmatch(text)):
            raise ValueError("期間の表記ではありません / not a range")
        m1, e1, d1, a1, m2, e2, d2, a2 = m.groups()
        return cls._checked(m1, d1, _mark(e1, a1), m2, d2, _mark(e2, a2))

    @classmethod
    def from_storage(cls, text: str) -> _Range | None:
        """Read the range part of the storage form (04-05?..05-10~), None if it is not one."""
        return cls._checked(*m.groups()) if (m := _RANGE_STORAGE.fullmatch(text)) else None

    @classmethod
    def _checked(cls, m1: str, d1: str, k1: str, m2: str | None, d2: str, k2: str) -> _Range:
        """Build a range that ends on a valid day, not before it starts."""
        found = cls(int(m1), int(d1), k1, int(m2) if m2 else None, int(d2), k2)
        end_month = found.end_month or found.month
        if (
            not 1 <= end_month <= 12
            or not 1 <= found.end_day <= _MAX_DAY[end_month - 1]
            or (end_month, found.end_day) < (found.month, found.day)
        ):
            raise ValueError("期間が不正です / bad range")
        return found

    def wording(self) -> str:
        """Write 「4月推定5日から10日頃までの間」."""
        start = f"{self.month}月{_day_words(self.day, self.mark)}"
        end = f"{self.end_month or ''}{'月' if self.end_month else ''}"
        return f"{start}から{end}{_day_words(self.end_day, self.end_mark)}までの間"

    def storage(self) -> str:
        """Write 「04-05?..10~」."""
        end_month = f"{self.end_month:02d}-" if self.end_month else ""
        end = f"{end_month}{self.end_day:02d}{self.end_mark}"
        return f"{self.month:02d}-{self.day:02d}{self.mark}..{end}"


def _mark(estimated: str | None, about: str | None) -> str:
    """Turn 推定 into "?" and 頃 into "~" for one end of a range (not both at once)."""
    if estimated and about:
        raise ValueError("推定と頃は併用できません / 推定 and 頃 cannot both qualify a day")
    return "?" if estimated else "~" if about else ""


def _day_words(day: int, mark: str) -> str:
    """Write one end of a range: 5日, 推定5日, 5日頃."""
    return {"?": f"推定{day}日", "~": f"{day}日頃"}.get(mark, f"{day}日")
