"""Item formats on the wire to the external systems (市町村CS, 戸籍附票システム), from the contracts.

The simulators' INTERFACE.md "Formats": 年月日 as 8 characters ``YYYYMMDD`` with unknown parts
as zeros (the 頃 / 推定 / 上旬 qualifiers of a 不詳日 have no place on the wire and do not
travel), 性別 ``"1"``/``"2"``, 異動事由 ``change_reason`` = the ward's change-kind code. Pure.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from jumin_contracts.codes import ChangeKind, Sex
from jumin_contracts.dates import PartialDate
from jumin_contracts.messages import CsFuhyoNotice, KosekiFuhyoNotice

__all__ = ["change_items", "fuhyo_items", "wire_calendar_date", "wire_date", "wire_sex"]

_SEX: Final = {Sex.MALE: "1", Sex.FEMALE: "2"}


def wire_date(stored: str) -> str:
    """Turn a stored 年月日 (2021-04-05, 2021-04-xx, xxxx-xx-xx …) into ``YYYYMMDD``."""
    d = PartialDate.from_storage(stored)
    return f"{d.year or 0:04d}{d.month or 0:02d}{d.day or 0:02d}"


def wire_calendar_date(d: date) -> str:
    """Write a calendar date as ``YYYYMMDD``."""
    return d.strftime("%Y%m%d")


def wire_sex(sex: Sex) -> str:
    """Turn the ward's 性別 into the wire code ("1" 男, "2" 女)."""
    return _SEX[sex]


def change_items(kind: ChangeKind, occurred_on: str) -> dict[str, str]:
    """異動事由 and 異動年月日 as sent."""
    return {"change_reason": kind.value, "change_date": wire_date(occurred_on)}


def fuhyo_items(p: CsFuhyoNotice | KosekiFuhyoNotice) -> dict[str, Any]:
    """The 附票 items of a 附票記載事項通知 (住基法17条 1–7号) with its 異動事由 and 異動年月日."""
    return {
        "honseki": p.honseki,
        "hittosha": p.hittosha,
        "family_name": p.family_name,
        "given_name": p.given_name,
        "address": p.address,
        "moved_abroad": p.moved_abroad,
        "abroad_country": p.abroad_country,
        "address_since": wire_date(p.address_since),
        "birth_date": wire_date(p.birth_date),
        "sex": wire_sex(p.sex),
        "juminhyo_code": p.juminhyo_code,
        **change_items(p.change_kind, p.occurred_on),
    }
