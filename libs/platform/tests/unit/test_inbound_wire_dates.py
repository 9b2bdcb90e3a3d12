"""年月日 of the external systems' notices: exact 異動日, partial 出生の年月日."""

from __future__ import annotations

from datetime import date

import pytest
from jumin_platform.inbound.wire_dates import exact_date, partial_date


def test_an_exact_date_reads_as_a_date() -> None:
    assert exact_date("20261101") == date(2026, 11, 1)


@pytest.mark.parametrize(
    "text", ["2026110x", "20261100", "20260230", "2026-11-01", "２０２６１１０１"]
)
def test_an_exact_date_refuses_anything_else_without_echoing_it(text: str) -> None:
    with pytest.raises(ValueError, match=r"^not") as caught:
        exact_date(text)
    assert text not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "read"),
    [("19800215", "1980-02-15"), ("19800200", "1980-02-00"), ("00000000", "0000-00-00")],
)
def test_a_partial_date_keeps_unknown_parts_as_zeros(text: str, read: str) -> None:
    assert partial_date(text) == read


@pytest.mark.parametrize("text", ["19800015", "00001215", "19801301", "19800231"])
def test_a_partial_date_with_a_gap_or_no_such_day_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"^not"):
        partial_date(text)
