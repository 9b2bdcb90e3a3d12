"""Hold 年月日 that may be partly unknown (不詳日, spec 1.1.8) and print them in 和暦/西暦 (1.1.9).

A `PartialDate` keeps the Gregorian year, month and day that are known, a `DatePrecision` and the
wording the fields cannot hold (`note`).  It accepts the non-calendar day 戸籍 may contain (2月29日
of a common year) and the era-boundary days 明治45年7月30日 and 大正15年12月25日.  The 元号 master
is japanera's (spec 1.3.6: a new era arrives with a japanera upgrade).

Decisions:

- `sort_key` is the first day the wording can mean: unknown month → January, unknown day → 1st,
  上旬/中旬/下旬 → 1st/11th/21st, 春/夏/秋/冬 → 1 March/June/September/December, a range → its
  start, 年月日不詳 → 0001-01-01 (sorts first); never before the start of a named era
  (平成元年頃 → 1989-01-08); 2月29日 of a common year → 2月28日.
- `era` keeps the 元号 only when the date alone would print another one (平成元年頃, not 昭和64年頃;
  明治45年7月30日, not 大正元年7月30日); otherwise it is None, so equal dates compare equal.
- `to_storage` is compact ASCII, plain ISO for exact dates:

  ====================  =================================
  2021-04-05            令和3年4月5日 (2021-02-29 allowed)
  2021~ / 2021-04~      令和3年頃 / 令和3年4月頃
  2021-04-05?           推定令和3年4月5日
  2021-spring           令和3年春
  2021-04-mid~          令和3年4月中旬頃
  2021-xx-xx            令和3年 月日不詳 (xxxx-xx-xx 年月日不詳)
  2021-04-05?..05-10~   令和3年4月推定5日から5月10日頃までの間
  1989~@H               平成元年頃 (the kept 元号 by initial)
  ====================  =================================

Private parts: 元号/期間 in `dates.calendar`, 保存形式 in `dates.storage`, input in `dates.parsing`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from jumin_contracts.dates.calendar import (
    _MAX_DAY,
    _SEASONS,
    _clamp,
    _Era,
    _era_at,
    _era_named,
    _Range,
    _year_text,
)


class DatePrecision(StrEnum):
    """Say how much of a 年月日 is known — the 不詳日 patterns of spec 1.1.8."""

    EXACT = "exact"  # 令和3年4月5日
    ABOUT = "about"  # 令和3年頃 / 令和3年4月頃 / 令和3年4月5日頃
    ESTIMATED = "estimated"  # 推定令和3年 / 推定令和3年4月 / 推定令和3年4月5日
    SEASON = "season"  # 令和3年春 (note: 春/夏/秋/冬)
    EARLY = "early"  # 令和3年4月上旬 (note: None, or 頃 for 上旬頃)
    MID = "mid"  # 令和3年4月中旬頃
    LATE = "late"  # 令和3年4月下旬
    RANGE = "range"  # 令和3年4月5日から5月6日頃までの間 (note: the wording after the year)
    UNKNOWN = "unknown"  # 年月日不詳 / 令和3年 月日不詳 / 令和3年4月 日不詳


_KNOWN_PARTS = {  # how many leading parts (year, month, day) each precision has
    DatePrecision.EXACT: (3,),
    DatePrecision.ABOUT: (1, 2, 3),
    DatePrecision.ESTIMATED: (1, 2, 3),
    DatePrecision.SEASON: (1,),
    DatePrecision.EARLY: (2,),
    DatePrecision.MID: (2,),
    DatePrecision.LATE: (2,),
    DatePrecision.RANGE: (3,),
    DatePrecision.UNKNOWN: (0, 1, 2),
}
_THIRDS = {
    DatePrecision.EARLY: ("上", 1),
    DatePrecision.MID: ("中", 11),
    DatePrecision.LATE: ("下", 21),
}
_WHITESPACE = re.compile(r"\s+")


# --- the value ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartialDate:
    """Hold a 年月日 that may be partly unknown (不詳日, spec 1.1.8).

    `year`/`month`/`day` are Gregorian and known ones form a prefix (no day without a month).
    `note` holds what the fields cannot: the season (春), 頃 after 上旬/中旬/下旬, or a range's
    wording after the year.  `era` is the 元号 to print when the date alone would print another.
    """

    year: int | None
    month: int | None
    day: int | None
    precision: DatePrecision
    note: str | None = None
    era: str | None = None

    def __post_init__(self) -> None:
        """Validate the fields (ValueError) and normalise `note` and `era`."""
        self._check_parts()
        self._check_note()
        if self.precision is DatePrecision.RANGE:
            object.__setattr__(self, "note", self._range().wording())
        if self.era is not None:
            object.__setattr__(self, "era", self._kept_era(_era_named(self.era)))

    def _check_parts(self) -> None:
        """Check the known parts fit the precision and the calendar (1-12, 1-31, 2月 ≤ 29)."""
        parts = (self.year, self.month, self.day)
        known = next((i for i, part in enumerate(parts) if part is None), 3)
        if any(p is not None for p in parts[known:]) or known not in _KNOWN_PARTS[self.precision]:
            raise ValueError(f"{self.precision}に合わない年月日です / parts do not fit")
        if not (
            (self.year is None or 1 <= self.year <= 9999)
            and (self.month is None or 1 <= self.month <= 12)
            and (self.day is None or 1 <= self.day <= _MAX_DAY[(self.month or 1) - 1])
        ):
            raise ValueError("存在しない年月日です / no such year/month/day")

    def _check_note(self) -> None:
        """Check `note` is what the precision needs."""
        if self.precision is DatePrecision.RANGE:
            if self._range()[:2] != (self.month, self.day):
                raise ValueError("期間の始まりが月日と違います / range start differs")
            return
        allowed: tuple[str | None, ...] = (None,)
        if self.precision is DatePrecision.SEASON:
            allowed = tuple(_SEASONS)
        elif self.precision in _THIRDS:
            allowed = (None, "頃")
        if self.note not in allowed:
            raise ValueError(f"補足が不正です / the note does not fit {self.precision}")

    def _range(self) -> _Range:
        """Return the range the note words."""
        return _Range.from_wording(self.note or "")

    def _kept_era(self, era: _Era) -> str | None:
        """Check the date lies in *era*; return its kanji if the date alone would print another."""
        if self.year is None:
            raise ValueError("年が不詳なら元号は持てません / an era needs a year")
        first = _clamp(self.year, self.month or 1, self.day or 1)
        last = _clamp(self.year, self.month or 12, self.day or 31)
        if last < era.since or first > era.last_day:
            raise ValueError(f"{era.kanji}の期間外です / date is outside the era {era.kanji}")
        return None if _era_at(self._first_meant_day()) == era else era.kanji

    def _first_meant_day(self) -> date:
        """Return the first day the wording can mean, ignoring `era` (sort_key rules)."""
        if self.year is None:
            return date.min
        month = self.month or _SEASONS.get(self.note or "", ("", 1))[1]
        day = self.day or _THIRDS.get(self.precision, ("", 1))[1]
        return _clamp(self.year, month, day)

    @classmethod
    def exact(cls, d: date) -> PartialDate:
        """Make a fully known 年月日 (確定日) from a calendar date."""
        return cls(d.year, d.month, d.day, DatePrecision.EXACT)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read a 年月日 in 和暦, 西暦, R3.4.5 style, 不詳日 wording (spec 1.1.8) or storage form.

        Full-width characters and all spaces are ignored.  Raise ValueError for anything else.
        """
        # Imported on use: the readers build PartialDates, so their modules import this one.
        from jumin_contracts.dates.parsing import _read_japanese, _read_numeric
        from jumin_contracts.dates.storage import _read_storage

        normalized = _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))
        for reader in (_read_storage, _read_numeric, _read_japanese):
            if (found := reader(normalized)) is not None:
                return found
        raise ValueError(
            "年月日として読めません（例: 令和3年4月5日, R3.4.5, 令和3年頃, 年月日不詳）"
            " / cannot read a date"
        )

    @classmethod
    def from_storage(cls, s: str) -> PartialDate:
        """Rebuild a 年月日 from the text `to_storage` wrote (保存形式)."""
        from jumin_contracts.dates.storage import _read_storage  # cyclic, see `parse`

        if (found := _read_storage(s)) is None:
            raise ValueError("保存形式の年月日ではありません / not a stored date")
        return found

    def to_storage(self) -> str:
        """Write the compact, lossless ASCII form for a text column (保存形式)."""
        from jumin_contracts.dates.storage import _storage_text  # cyclic, see `parse`

        return _storage_text(self) + (f"@{_era_named(self.era).letter}" if self.era else "")

    @property
    def is_exact(self) -> bool:
        """Tell whether year, month and day are all known without qualification (確定日)."""
        return self.precision is DatePrecision.EXACT

    @property
    def is_calendar_date(self) -> bool:
        """Tell whether this is an exact 暦上日 (so not 2月29日 of a common year)."""
        return self.is_exact and self.sort_key().day == self.day

    def to_date(self) -> date:
        """Return the calendar date; raise ValueError for a 不詳日 or a non-calendar day."""
        if not self.is_calendar_date:
            raise ValueError("暦上の確定日ではありません / not an exact calendar date")
        return self.sort_key()

    def sort_key(self) -> date:
        """Return the internal date kept for sorting and comparing (spec 1.1.8; module doc)."""
        key = self._first_meant_day()
        return max(key, _era_named(self.era).since) if self.era else key

    def format_wareki(self) -> str:
        """Print in 和暦 for certificates and screens (spec 1.1.9): 令和3年4月5日, 令和元年頃."""
        if self.year is None:
            return _wording(self, "")
        era = _era_named(self.era) if self.era else _era_at(self.sort_key())
        if era is None:
            raise ValueError("明治より前は和暦にできません / no 和暦 before 明治")
        return _wording(self, _year_text(era, self.year))

    def format_seireki(self) -> str:
        """Print in 西暦 (foreign residents' 生年月日 and 在留期間の満了日): 2021年4月5日."""
        return _wording(self, "" if self.year is None else f"{self.year}年")


def _wording(d: PartialDate, year: str) -> str:
    """Write the date after a ready-made year text (令和3年 / 2021年)."""
    month = f"{d.month}月" if d.month else ""
    day = f"{d.day}日" if d.day else ""
    match d.precision:
        case DatePrecision.EXACT:
            return f"{year}{month}{day}"
        case DatePrecision.ABOUT:
            return f"{year}{month}{day}頃"
        case DatePrecision.ESTIMATED:
            return f"推定{year}{month}{day}"
        case DatePrecision.SEASON | DatePrecision.RANGE:
            return f"{year}{d.note}"
        case DatePrecision.EARLY | DatePrecision.MID | DatePrecision.LATE:
            return f"{year}{month}{_THIRDS[d.precision][0]}旬{d.note or ''}"
        case DatePrecision.UNKNOWN:
            return f"{year}{month} {'日' if month else '月日'}不詳" if year else "年月日不詳"


# --- exact-date helpers and the Pydantic field ------------------------------------------------


def parse_wareki_date(text: str) -> date:
    """Read an exact calendar date typed in 和暦 or 西暦 (令和3年4月5日, R3.4.5, 2021-04-05)."""
    return PartialDate.parse(text).to_date()


def format_wareki_date(d: date) -> str:
    """Print a calendar date in 和暦: 令和3年4月5日, 令和元年5月1日."""
    return PartialDate.exact(d).format_wareki()


def _coerce(value: object) -> PartialDate:
    """Accept a PartialDate, a date (exact) or any text `PartialDate.parse` reads."""
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, date):
        return PartialDate.exact(value)
    if isinstance(value, str):
        return PartialDate.parse(value)
    raise ValueError(f"年月日ではありません / not a date but {type(value).__name__}")


def _serialize(value: PartialDate) -> str:
    """Serialise to the storage form: lossless, ASCII, and plain ISO for exact dates."""
    return value.to_storage()


PartialDateField = Annotated[
    PartialDate,
    PlainValidator(_coerce, json_schema_input_type=str),
    PlainSerializer(_serialize, return_type=str),
    WithJsonSchema(
        {"type": "string", "description": "年月日 (不詳日可) 保存形式: 2021-04-05, 2021~"}
    ),
]
"""Use PartialDate in Pydantic models: validate text via `parse`, serialise with `to_storage`."""
