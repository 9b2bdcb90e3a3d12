"""整合性確認 of the 戸籍附票: what the adapter last sent and the system accepted, per person,
against the 附票 the 戸籍附票システム holds (pure).

Both sides are in the system's wire form (年月日 `YYYYMMDD`) and compared by
`jumin_platform.consistency.compare`, paired by 住民票コード, on the 附票 items the ward is the
source of (住基法17条 3・4号): 住所 or 国外転出 (with the country) and 住所を定めた年月日. The other
items — 戸籍の表示, 氏名, 出生の年月日, 男女の別 — are the 戸籍's: the 本籍地 writes them from its own
戸籍 work (a 婚姻 or 転籍 changes them there first, and the ward sends nothing for it), and every
notice is collated against them (a disagreement comes back as a 照合不一致 or 戸籍照合通知), so
comparing them with the adapter's last notice would only report the 戸籍 side being ahead.
異動事由 and 異動日 are not compared (they say how a line came about). Differences name the person
key and items, never values; 附票 records the adapter never sent are only counted — the 附票
offers no reference for them that is not personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from jumin_platform.consistency.compare import Record, Report

__all__ = ["COMPARED_ITEMS", "SYSTEM", "FuhyoLine", "new_report", "result_of", "sent_record"]

COMPARED_ITEMS: Final = (
    "address",
    "address_since",
    "moved_abroad",
    "abroad_country",
)
SYSTEM: Final = "fuhyo"
UNLISTED: Final = ""
"""The reference of a 附票 record (never shown: unknown records are counted)."""


@dataclass(frozen=True)
class FuhyoLine:
    """A person's 附票 as the system holds it: 住民票コード and the compared items (latest 住所)."""

    juminhyo_code: str
    items: Mapping[str, Any]

    @classmethod
    def of(cls, item: Mapping[str, Any]) -> FuhyoLine:
        return cls(str(item["juminhyo_code"]), _compared(item))

    def record(self) -> Record:
        return Record(self.juminhyo_code, self.items, UNLISTED)


def sent_record(person_key: str, body: Mapping[str, Any]) -> Record | None:
    """The adapter's side: the body of the person's latest accepted notice (None without a code)."""
    code = body.get("juminhyo_code")
    if not isinstance(code, str) or not code:
        return None
    return Record(code, _compared(body), person_key)


def _compared(items: Mapping[str, Any]) -> dict[str, Any]:
    """The compared items of either side (an omitted 国外転出 flag is false)."""
    return {n: items.get(n) for n in COMPARED_ITEMS} | {
        "moved_abroad": bool(items.get("moved_abroad"))
    }


def new_report() -> Report:
    """An empty report on the 附票 (`fuhyo_records`, `missing_at_fuhyo`, `unknown_at_fuhyo`)."""
    return Report(SYSTEM)


def result_of(report: Report) -> dict[str, Any]:
    """The stored result: person keys and item names; records the adapter never sent, counted."""
    return {**report.as_json(), f"unknown_at_{SYSTEM}": len(report.unknown)}
