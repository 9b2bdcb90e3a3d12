"""電文 item formats shared by the simulated systems (市町村CS, 戸籍附票システム).

Annotated types; error messages name the rule, never the value.
"""

from __future__ import annotations

import calendar
import re
from typing import Annotated, Literal

from jumin_contracts.check_digits import (
    is_valid_juminhyo_code,
    is_valid_local_government_code,
    is_valid_my_number,
)
from pydantic import AfterValidator, StringConstraints


def _wire_date(value: str) -> str:
    """Accept `YYYYMMDD` with zeros for unknown parts (年月日不詳), else raise without the value."""
    if not re.fullmatch(r"[0-9]{8}", value):
        raise ValueError("年月日は8桁の半角数字 YYYYMMDD です / date must be 8 digits YYYYMMDD")
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    if not _date_parts_fit(year, month, day):
        raise ValueError("存在しない年月日です / not a date (unknown parts must be zeros)")
    return value


def _date_parts_fit(year: int, month: int, day: int) -> bool:
    """Tell whether the parts form a date whose unknown parts are trailing zeros."""
    if year == 0:
        return month == 0 and day == 0
    if month == 0:
        return day == 0
    if month > 12:
        return False
    return day == 0 or day <= calendar.monthrange(year, month)[1]


def _juminhyo_code(value: str) -> str:
    if not is_valid_juminhyo_code(value):
        raise ValueError(
            "住民票コードは検査数字付きの11桁です / 11 digits with a valid check digit"
        )
    return value


def _my_number(value: str) -> str:
    if not is_valid_my_number(value):
        raise ValueError("個人番号は検査用数字付きの12桁です / 12 digits with a valid check digit")
    return value


def _municipality_code(value: str) -> str:
    if not is_valid_local_government_code(value):
        raise ValueError(
            "地方公共団体コードは検査数字付きの6桁です / 6 digits with a valid check digit"
        )
    return value


WireDate = Annotated[str, AfterValidator(_wire_date)]
"""年月日: `YYYYMMDD`, unknown parts zero (`20210400`, `00000000`)."""

JuminhyoCode = Annotated[str, AfterValidator(_juminhyo_code)]
"""住民票コード: 10 digits + check digit."""

MyNumber = Annotated[str, AfterValidator(_my_number)]
"""個人番号: 11 digits + check digit."""

MunicipalityCode = Annotated[str, AfterValidator(_municipality_code)]
"""地方公共団体コード (JIS X 0402): 5 digits + check digit."""

Sex = Literal["1", "2"]
"""性別: "1" 男, "2" 女."""

RecordStatus = Literal["resident", "removed", "void"]
"""記載・消除の別."""

ChangeReason = Annotated[str, StringConstraints(min_length=1, max_length=64)]
"""異動事由: the ward's change-kind code as sent."""

Name = Annotated[str, StringConstraints(max_length=200)]
"""A name item (氏名, カナ, 旧氏, 通称, ローマ字); empty means 記載なし (e.g. カナ not yet filed)."""

Text = Annotated[str, StringConstraints(max_length=500)]
"""A longer text item (住所, 本籍, 転出先); empty means 記載なし."""

RequiredText = Annotated[str, StringConstraints(min_length=1, max_length=500)]
"""A text item that must say something (送付先市町村名)."""
