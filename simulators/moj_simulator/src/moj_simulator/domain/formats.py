"""The ministry's item formats, beyond those the simulated systems share (`jumin_simulator.formats`).

Annotated types; error messages name the rule, never the value.
"""

from __future__ import annotations

from typing import Annotated

from iso3166 import countries_by_alpha3
from jumin_contracts.codes import RESIDENCE_CARD_NO
from pydantic import AfterValidator

STATELESS = "XXA"
"""無国籍: ICAO Doc 9303's code for a stateless person (not an ISO 3166-1 country)."""


def _card_no(value: str) -> str:
    if not RESIDENCE_CARD_NO.fullmatch(value):
        raise ValueError(
            "在留カード番号・特別永住者証明書番号は英字2桁・数字8桁・英字2桁です / "
            "two capital letters, eight digits, two capital letters"
        )
    return value


def _nationality(value: str) -> str:
    if value != STATELESS and value not in countries_by_alpha3:
        raise ValueError(
            "国籍・地域は ISO 3166-1 alpha-3 のコード (無国籍は XXA) です / "
            "an ISO 3166-1 alpha-3 code (XXA: stateless)"
        )
    return value


CardNo = Annotated[str, AfterValidator(_card_no)]
"""在留カード番号 / 特別永住者証明書番号: `[A-Z]{2}[0-9]{8}[A-Z]{2}`."""

NationalityCode = Annotated[str, AfterValidator(_nationality)]
"""国籍・地域: ISO 3166-1 alpha-3 (`KOR`, `VNM`, `USA`), `XXA` for 無国籍."""
