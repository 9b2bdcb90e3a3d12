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
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, NamedTuple

import japanera
from pydantic import PlainSerializer, PlainValidator, WithJsonSchema


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
_SEASONS = {"春": ("spring", 3), "夏": ("summer", 6), "秋": ("autumn", 9), "冬": ("winter", 12)}
_THIRDS = {
    DatePrecision.EARLY: ("上", 1),
    DatePrecision.MID: ("中", 11),
    DatePrecision.LATE: ("下", 21),
}
_MARKS = {"": DatePrecision.EXACT, "~": DatePrecision.ABOUT, "?": DatePrecision.ESTIMATED}
_MAX_DAY = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 2月29日 always allowed (spec 1.1.8)
_WHITESPACE = re.compile(r"\s+")


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
    raise ValueError(f"元号が不明です / unknown era: {name!r}")


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
            raise ValueError(f"期間の表記ではありません / not a range: {text!r}")
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
            raise ValueError(f"期間が不正です / bad range: {found.wording()}")
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
            raise ValueError(f"{self.precision}に合わない年月日です / parts do not fit: {parts}")
        if not (
            (self.year is None or 1 <= self.year <= 9999)
            and (self.month is None or 1 <= self.month <= 12)
            and (self.day is None or 1 <= self.day <= _MAX_DAY[(self.month or 1) - 1])
        ):
            raise ValueError(f"存在しない年月日です / no such year/month/day: {parts}")

    def _check_note(self) -> None:
        """Check `note` is what the precision needs."""
        if self.precision is DatePrecision.RANGE:
            if self._range()[:2] != (self.month, self.day):
                raise ValueError(f"期間の始まりが月日と違います / range start differs: {self.note}")
            return
        allowed: tuple[str | None, ...] = (None,)
        if self.precision is DatePrecision.SEASON:
            allowed = tuple(_SEASONS)
        elif self.precision in _THIRDS:
            allowed = (None, "頃")
        if self.note not in allowed:
            raise ValueError(f"補足が不正です / note {self.note!r} does not fit {self.precision}")

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
        normalized = _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))
        for reader in (_read_storage, _read_numeric, _read_japanese):
            if (found := reader(normalized)) is not None:
                return found
        raise ValueError(
            f"年月日として読めません（例: 令和3年4月5日, R3.4.5, 令和3年頃, 年月日不詳）"
            f" / cannot read a date: {text!r}"
        )

    @classmethod
    def from_storage(cls, s: str) -> PartialDate:
        """Rebuild a 年月日 from the text `to_storage` wrote (保存形式)."""
        if (found := _read_storage(s)) is None:
            raise ValueError(f"保存形式の年月日ではありません / not a stored date: {s!r}")
        return found

    def to_storage(self) -> str:
        """Write the compact, lossless ASCII form for a text column (保存形式)."""
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
            raise ValueError(f"暦上の確定日ではありません / not an exact calendar date: {self}")
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
            raise ValueError(f"明治より前は和暦にできません / no 和暦 before 明治: {self.year}")
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


# --- input forms -------------------------------------------------------------------------------

_ERA_NAMES = "|".join(era.kanji for era in _ERAS)
_ERA_LETTERS = "".join(era.letter for era in _ERAS)
_ISO_LIKE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{4})(\d{2})(\d{2})")
_ABBREVIATED = re.compile(
    rf"([{_ERA_LETTERS}])(\d{{1,3}}|元)[-/.](\d{{1,2}})[-/.](\d{{1,2}})", re.I
)
_JAPANESE = re.compile(rf"(推定)?(?:({_ERA_NAMES})(\d{{1,3}}|元)|(\d{{4}}))年(.*)")


def _read_numeric(text: str) -> PartialDate | None:
    """Read an exact date written 2001/2/3, 20010203, R3.4.5 or H15.01.07."""
    if m := _ISO_LIKE.fullmatch(text):
        year, month, day = (group for group in m.groups() if group)
        return _made(int(year), month, day, DatePrecision.EXACT)
    if m := _ABBREVIATED.fullmatch(text):
        era = _era_named(m[1].upper())
        return _made(_gregorian(era, m[2]), m[3], m[4], DatePrecision.EXACT, era=era.kanji)
    return None


def _read_japanese(text: str) -> PartialDate | None:
    """Read 令和3年4月5日, 2021年4月5日 and every 不詳日 wording of spec 1.1.8."""
    if text == "年月日不詳":
        return PartialDate(None, None, None, DatePrecision.UNKNOWN)
    if not (m := _JAPANESE.fullmatch(text)):
        return None
    estimated, era_name, era_year, western, tail = m.groups()
    era = _era_named(era_name) if era_name else None
    year = _gregorian(era, era_year) if era else int(western)
    return _read_japanese_tail(year, tail, era.kanji if era else None, estimated=bool(estimated))


def _read_japanese_tail(
    year: int, tail: str, era: str | None, *, estimated: bool
) -> PartialDate | None:
    """Read what follows ○○年: 4月5日, 4月頃, 月日不詳, 春, 4月中旬頃 or a range."""
    if m := re.fullmatch(r"(?:(\d{1,2})月(?:(\d{1,2})日)?)?(頃)?", tail):
        if estimated and m[3]:
            return None
        return _plain(year, m[1], m[2], "?" if estimated else "~" if m[3] else "", era)
    if estimated:
        return None
    if m := re.fullmatch(r"(?:(\d{1,2})月|月)日不詳", tail):
        return _made(year, m[1], None, DatePrecision.UNKNOWN, era=era)
    if tail in _SEASONS:
        return _made(year, None, None, DatePrecision.SEASON, tail, era)
    if m := re.fullmatch(r"(\d{1,2})月([上中下])旬(頃)?", tail):
        third = next(p for p, (kanji, _) in _THIRDS.items() if kanji == m[2])
        return _made(year, m[1], None, third, m[3], era)
    if _RANGE_WORDING.fullmatch(tail):
        r = _Range.from_wording(tail)
        return PartialDate(year, r.month, r.day, DatePrecision.RANGE, tail, era)
    return None


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
    raise ValueError(f"年月日ではありません / not a date: {value!r}")


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
