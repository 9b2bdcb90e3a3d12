"""電文 item formats shared by the simulated systems (市町村CS, 戸籍附票システム, 団体内統合宛名システム,
中間サーバー).

Annotated types; error messages name the rule, never the value.
"""

from __future__ import annotations

import calendar
import re
from typing import Annotated, Literal

from jumin_contracts.check_digits import (
    is_valid_atena_no,
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


def _atena_no(value: str) -> str:
    if not is_valid_atena_no(value):
        raise ValueError("宛名番号は検査数字付きの10桁です / 10 digits with a valid check digit")
    return value


FUGO_PATTERN = r"^FG[A-Z0-9]{22}$"
"""情報提供用個人識別符号 (機関別符号) as the simulators make them: `FG` + 22 capitals or digits.

The real 符号's form is not public; this one can never be read as a 個人番号 (12 digits) or a
住民票コード (11 digits)."""


WireDate = Annotated[str, AfterValidator(_wire_date)]
"""年月日: `YYYYMMDD`, unknown parts zero (`20210400`, `00000000`)."""

JuminhyoCode = Annotated[str, AfterValidator(_juminhyo_code)]
"""住民票コード: 10 digits + check digit."""

MyNumber = Annotated[str, AfterValidator(_my_number)]
"""個人番号: 11 digits + check digit."""

AtenaNo = Annotated[str, AfterValidator(_atena_no)]
"""宛名番号 (the registry's 住記宛名番号): 9 digits + check digit."""

Fugo = Annotated[str, StringConstraints(pattern=FUGO_PATTERN)]
"""符号 (情報提供用個人識別符号): see `FUGO_PATTERN`."""

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
