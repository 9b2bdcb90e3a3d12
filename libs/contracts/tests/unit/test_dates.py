"""年月日 with 不詳日 (spec 1.1.8) and their 和暦/西暦 display (spec 1.1.9, 1.3.6)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from jumin_contracts.dates import (
    DatePrecision,
    PartialDate,
    PartialDateField,
    format_wareki_date,
    parse_wareki_date,
)
from pydantic import BaseModel, ValidationError

P = DatePrecision

# Every pattern of spec 1.1.8 【不詳日入力一覧】, filled in, as typed and as printed.
SPEC_PATTERNS = [
    ("令和3年頃", PartialDate(2021, None, None, P.ABOUT)),
    ("令和3年4月頃", PartialDate(2021, 4, None, P.ABOUT)),
    ("令和3年4月5日頃", PartialDate(2021, 4, 5, P.ABOUT)),
    ("推定令和3年4月5日", PartialDate(2021, 4, 5, P.ESTIMATED)),
    ("推定令和3年4月", PartialDate(2021, 4, None, P.ESTIMATED)),
    ("令和3年春", PartialDate(2021, None, None, P.SEASON, "春")),
    ("令和3年4月上旬", PartialDate(2021, 4, None, P.EARLY)),
    ("令和3年4月中旬頃", PartialDate(2021, 4, None, P.MID, "頃")),
    ("年月日不詳", PartialDate(None, None, None, P.UNKNOWN)),
    ("令和3年 月日不詳", PartialDate(2021, None, None, P.UNKNOWN)),
    ("令和3年11月 日不詳", PartialDate(2021, 11, None, P.UNKNOWN)),
    (
        "令和3年11月5日から12月1日頃までの間",
        PartialDate(2021, 11, 5, P.RANGE, "11月5日から12月1日頃までの間"),
    ),
    (
        "令和3年11月推定5日から9日までの間",
        PartialDate(2021, 11, 5, P.RANGE, "11月推定5日から9日までの間"),
    ),
    (
        "令和3年11月5日頃から9日頃までの間",
        PartialDate(2021, 11, 5, P.RANGE, "11月5日頃から9日頃までの間"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), SPEC_PATTERNS)
def test_every_spec_unknown_date_pattern_parses_and_prints_back(
    text: str, expected: PartialDate
) -> None:
    parsed = PartialDate.parse(text)
    assert parsed == expected
    assert parsed.format_wareki() == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2001-02-03", date(2001, 2, 3)),
        ("2001/2/3", date(2001, 2, 3)),
        ("20010203", date(2001, 2, 3)),
        ("2001年2月3日", date(2001, 2, 3)),
        ("令和3年4月5日", date(2021, 4, 5)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和３年４月５日", date(2021, 4, 5)),  # 全角数字
        ("　令和 3年 4月 5日 ", date(2021, 4, 5)),  # spaces
        ("R3.4.5", date(2021, 4, 5)),
        ("r3/4/5", date(2021, 4, 5)),
        ("H15.01.07", date(2003, 1, 7)),
        ("Ｈ１５．０１．０７", date(2003, 1, 7)),
        ("S64.1.7", date(1989, 1, 7)),
        ("T15.12.24", date(1926, 12, 24)),
        ("M45.7.29", date(1912, 7, 29)),
        ("平成元年1月8日", date(1989, 1, 8)),
    ],
)
def test_exact_dates_parse_in_every_notation(text: str, expected: date) -> None:
    assert parse_wareki_date(text) == expected
    assert PartialDate.parse(text).is_exact


@pytest.mark.parametrize(
    ("d", "wareki"),
    [
        (date(2021, 4, 5), "令和3年4月5日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1912, 7, 29), "明治45年7月29日"),
    ],
)
def test_format_wareki_date_switches_era_on_the_published_days(d: date, wareki: str) -> None:
    assert format_wareki_date(d) == wareki


@pytest.mark.parametrize(
    ("text", "storage"), [("明治45年7月30日", "1912-07-30@M"), ("大正15年12月25日", "1926-12-25@T")]
)
def test_spec_boundary_days_keep_the_old_era(text: str, storage: str) -> None:
    parsed = PartialDate.parse(text)
    assert parsed.format_wareki() == text
    assert parsed.to_storage() == storage
    assert parsed.to_date() == PartialDate.parse(text.replace("明治45", "大正元")).to_date()


@pytest.mark.parametrize(
    ("text", "wareki", "key"),
    [
        ("平成元年頃", "平成元年頃", date(1989, 1, 8)),
        ("昭和64年頃", "昭和64年頃", date(1989, 1, 1)),
        ("令和元年 月日不詳", "令和元年 月日不詳", date(2019, 5, 1)),
        ("1989年頃", "昭和64年頃", date(1989, 1, 1)),  # no era named: the era on 1 January
    ],
)
def test_a_year_shared_by_two_eras_prints_the_era_typed(text: str, wareki: str, key: date) -> None:
    parsed = PartialDate.parse(text)
    assert parsed.format_wareki() == wareki
    assert parsed.sort_key() == key


@pytest.mark.parametrize(
    "text",
    [
        "平成31年5月1日",  # 平成 ended on 30 April 2019
        "令和元年4月30日",
        "昭和64年1月8日",
        "明治45年8月頃",
        "令和元年4月 日不詳",
        "令和0年1月1日",
        "2021-02-30",
        "2021-04-31",
        "令和3年13月1日",
        "令和3年",  # a bare year is not a 不詳日 pattern
        "令和3年4月",
        "推定令和3年頃",
        "令和3年4月10日から5日までの間",
        "令和3年4月推定5日頃から9日までの間",
        "慶応4年1月1日",
        "2021-04-05x",
        "yesterday",
        "",
    ],
)
def test_impossible_or_unknown_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="/"):  # message is Japanese / English
        PartialDate.parse(text)


def test_february_29_of_a_common_year_is_kept_but_sorts_as_the_28th() -> None:
    koseki_day = PartialDate.parse("平成3年2月29日")
    assert koseki_day.is_exact
    assert not koseki_day.is_calendar_date
    assert koseki_day.format_wareki() == "平成3年2月29日"
    assert koseki_day.format_seireki() == "1991年2月29日"
    assert koseki_day.sort_key() == date(1991, 2, 28)
    assert PartialDate.from_storage(koseki_day.to_storage()) == koseki_day
    with pytest.raises(ValueError, match="calendar"):
        koseki_day.to_date()


def test_sort_keys_order_unknown_dates_by_their_first_possible_day() -> None:
    texts = [
        "令和3年4月下旬",
        "令和3年 月日不詳",
        "令和3年4月中旬頃",
        "令和3年冬",
        "年月日不詳",
        "令和3年4月上旬",
        "令和3年春",
        "令和3年4月推定5日から9日までの間",
    ]
    ordered = sorted((PartialDate.parse(t) for t in texts), key=PartialDate.sort_key)
    assert [d.format_wareki() for d in ordered] == [
        "年月日不詳",
        "令和3年 月日不詳",
        "令和3年春",
        "令和3年4月上旬",
        "令和3年4月推定5日から9日までの間",
        "令和3年4月中旬頃",
        "令和3年4月下旬",
        "令和3年冬",
    ]


def test_seireki_prints_foreign_residents_dates() -> None:
    assert PartialDate.parse("R3.4.5").format_seireki() == "2021年4月5日"
    assert PartialDate.parse("推定令和3年4月").format_seireki() == "推定2021年4月"
    assert PartialDate.parse("年月日不詳").format_seireki() == "年月日不詳"


def test_to_date_refuses_unknown_dates() -> None:
    with pytest.raises(ValueError, match="exact"):
        PartialDate.parse("令和3年頃").to_date()
    with pytest.raises(ValueError, match="exact"):
        parse_wareki_date("令和3年4月5日頃")


def test_construction_checks_precision_against_parts() -> None:
    with pytest.raises(ValueError, match="parts"):
        PartialDate(2021, None, 5, P.ABOUT)
    with pytest.raises(ValueError, match="note"):
        PartialDate(2021, None, None, P.SEASON, "梅雨")
    with pytest.raises(ValueError, match="era"):
        PartialDate(2021, 4, 5, P.EXACT, era="平成")


# --- properties --------------------------------------------------------------------------------

boundary_years = st.sampled_from([1912, 1926, 1989, 2019])  # years two eras share
years = st.one_of(st.integers(min_value=1873, max_value=2200), boundary_years)
months = st.integers(min_value=1, max_value=12)
days = st.integers(min_value=1, max_value=29)
eras = st.sampled_from([None, "明治", "大正", "昭和", "平成", "令和"])


KNOWN_PARTS = {P.EXACT: (3, 3), P.RANGE: (3, 3), P.SEASON: (1, 1), P.UNKNOWN: (0, 2)}
KNOWN_PARTS |= {
    P.EARLY: (2, 2),
    P.MID: (2, 2),
    P.LATE: (2, 2),
    P.ABOUT: (1, 3),
    P.ESTIMATED: (1, 3),
}


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    """Draw any valid PartialDate, era hint included."""
    precision = draw(st.sampled_from(list(P)))
    low, high = KNOWN_PARTS[precision]
    known = draw(st.integers(min_value=low, max_value=high))
    drawn: list[int | None] = [draw(years), draw(months), draw(days)]
    year, month, day = drawn[:known] + [None] * (3 - known)
    note: str | None = None
    if precision is P.SEASON:
        note = draw(st.sampled_from("春夏秋冬"))
    elif precision in (P.EARLY, P.MID, P.LATE):
        note = draw(st.sampled_from([None, "頃"]))
    elif precision is P.RANGE:
        end = draw(st.integers(min_value=day or 1, max_value=29))
        marks = draw(st.sampled_from([("", ""), ("推定", ""), ("", "頃"), ("頃", "頃")]))
        start_day = f"推定{day}日" if marks[0] == "推定" else f"{day}日{marks[0]}"
        note = f"{month}月{start_day}から{end}日{marks[1]}までの間"
    era = draw(eras) if year is not None else None
    try:
        return PartialDate(year, month, day, precision, note, era)
    except ValueError:
        assume(False)
        raise


@given(partial_dates())
def test_storage_form_round_trips_losslessly(d: PartialDate) -> None:
    stored = d.to_storage()
    assert stored.isascii()
    assert PartialDate.from_storage(stored) == d
    assert PartialDate.parse(stored) == d


@given(partial_dates())
def test_wareki_display_parses_back_to_the_same_date(d: PartialDate) -> None:
    assert PartialDate.parse(d.format_wareki()) == d


@given(partial_dates())
def test_seireki_display_parses_back_when_no_era_is_kept(d: PartialDate) -> None:
    assume(d.era is None)
    assert PartialDate.parse(d.format_seireki()) == d


@given(partial_dates())
def test_sort_key_is_a_real_day_inside_the_stated_year(d: PartialDate) -> None:
    key = d.sort_key()
    assert key.year == (d.year or 1)
    if d.month is not None:
        assert key.month == d.month


@given(st.dates(min_value=date(1873, 1, 1), max_value=date(2200, 12, 31)))
def test_calendar_dates_round_trip_through_wareki(d: date) -> None:
    assert parse_wareki_date(format_wareki_date(d)) == d
    assert PartialDate.exact(d).to_date() == d
    assert PartialDate.exact(d).sort_key() == d


@given(
    st.dates(min_value=date(1873, 1, 1), max_value=date(2200, 12, 31)),
    st.dates(min_value=date(1873, 1, 1), max_value=date(2200, 12, 31)),
)
def test_sort_key_orders_exact_dates_like_the_calendar(a: date, b: date) -> None:
    assert (PartialDate.exact(a).sort_key() < PartialDate.exact(b).sort_key()) == (a < b)


# --- Pydantic ----------------------------------------------------------------------------------


class Resident(BaseModel):
    birth_date: PartialDateField
    moved_in_on: PartialDateField | None = None


def test_pydantic_field_validates_text_and_serialises_storage_form() -> None:
    resident = Resident(birth_date="平成元年頃", moved_in_on="R3.4.5")
    assert resident.birth_date.format_wareki() == "平成元年頃"
    assert resident.model_dump() == {"birth_date": "1989~@H", "moved_in_on": "2021-04-05"}
    assert Resident.model_validate_json(resident.model_dump_json()) == resident


def test_pydantic_field_accepts_dates_and_partial_dates() -> None:
    resident = Resident(birth_date=date(2000, 1, 2), moved_in_on=PartialDate.parse("年月日不詳"))
    assert resident.birth_date == PartialDate.exact(date(2000, 1, 2))
    assert resident.model_dump(mode="json")["moved_in_on"] == "xxxx-xx-xx"


@pytest.mark.parametrize("bad", ["令和3年13月1日", 20210405, None])
def test_pydantic_field_rejects_what_parse_rejects(bad: object) -> None:
    with pytest.raises(ValidationError):
        Resident(birth_date=bad)


def test_pydantic_json_schema_is_a_string() -> None:
    schema = Resident.model_json_schema()
    assert schema["properties"]["birth_date"]["type"] == "string"
