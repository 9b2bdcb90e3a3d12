"""Wire formats shared by the adapters: dates with zeros for unknown parts, sex codes."""

from __future__ import annotations

import pytest
from jumin_contracts.codes import Sex
from jumin_platform.deliveries.wire import wire_date, wire_sex


@pytest.mark.parametrize(
    ("stored", "wire"),
    [
        ("2021-04-05", "20210405"),
        ("2021-04-xx", "20210400"),
        ("2021-xx-xx", "20210000"),
        ("xxxx-xx-xx", "00000000"),
        ("2021~", "20210000"),
        ("2021-04-early", "20210400"),
        ("1989-01-07@S", "19890107"),
    ],
)
def test_dates_become_eight_digits_with_zeros_for_unknown_parts(stored: str, wire: str) -> None:
    assert wire_date(stored) == wire


def test_sex_is_one_for_male_and_two_for_female() -> None:
    assert (wire_sex(Sex.MALE), wire_sex(Sex.FEMALE)) == ("1", "2")
