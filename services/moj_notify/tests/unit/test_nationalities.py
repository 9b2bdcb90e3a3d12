"""The 国籍・地域 code table: every code is one the ministry takes; nothing is guessed."""

from __future__ import annotations

import pytest
from iso3166 import countries_by_alpha3
from moj_notify.domain.nationalities import (
    UnknownNationality,
    nationality_code,
    nationality_table,
)


def test_every_code_is_iso_alpha_3_or_stateless() -> None:
    codes = set(nationality_table().values())
    assert codes - set(countries_by_alpha3) == {"XXA"}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("韓国", "KOR"),
        ("大韓民国", "KOR"),
        ("中国", "CHN"),
        ("ベトナム", "VNM"),
        ("米国", "USA"),
        ("アメリカ合衆国", "USA"),
        ("無国籍", "XXA"),
        ("ﾍﾞﾄﾅﾑ", "VNM"),  # half-width kana as typed at some counters
        (" 英国 ", "GBR"),
    ],
)
def test_the_ministrys_short_names_and_the_long_ones_map(name: str, code: str) -> None:
    assert nationality_code(name) == code


@pytest.mark.parametrize("name", ["", "ワカンダ", "VNM", "ベトナム社会主義"])
def test_a_name_not_in_the_table_is_refused_without_echoing_it(name: str) -> None:
    with pytest.raises(UnknownNationality) as refused:
        nationality_code(name)
    assert name.strip() == "" or name not in str(refused.value)
