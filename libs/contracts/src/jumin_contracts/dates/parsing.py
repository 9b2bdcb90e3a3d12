"""Read the input forms of a `PartialDate`: 2001/2/3, 20010203, R3.4.5 and 和暦/西暦 wording.

Private to `jumin_contracts.dates`, which tries these readers in `PartialDate.parse`.
"""

from __future__ import annotations

import re

from jumin_contracts.dates import _THIRDS, DatePrecision, PartialDate
from jumin_contracts.dates.calendar import (
    _ERAS,
    _RANGE_WORDING,
    _SEASONS,
    _era_named,
    _gregorian,
    _Range,
)
from jumin_contracts.dates.storage import _made, _plain

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
