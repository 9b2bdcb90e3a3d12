"""整合性確認 (spec 7.1.1.2): compare what CS holds with the registry's latest 本人確認情報 (pure).

Both sides are in CS form. The 個人番号 is compared through its keyed hash (the adapter keeps no
plain number). 異動事由 and 異動日 are not compared: a resend may change the reason, and they say
how a record came about, not what it is. Results name people by their opaque person key, CS
records by receipt number, and fields by name — never values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from jumin_contracts.messages import IDENTITY_ITEMS

__all__ = ["COMPARED_FIELDS", "ConsistencyReport", "Side", "compare_range"]

COMPARED_FIELDS: Final = tuple(n for n in IDENTITY_ITEMS if n not in {"juminhyo_code", "my_number"})
"""本人確認情報 compared item by item: the 住民票コード pairs the two sides, the 個人番号 is compared
by its keyed hash."""
MY_NUMBER: Final = "my_number"


@dataclass(frozen=True)
class Side:
    """One record on either side: its code, body (CS form) and 個人番号 hash; `ref` names it."""

    juminhyo_code: str
    body: Mapping[str, Any]
    my_number_hash: str | None
    ref: str  # person key (registry side) or CS receipt number (CS side)


@dataclass
class ConsistencyReport:
    """What differs; `checked` counts the registry's records compared."""

    checked: int = 0
    cs_records: int = 0
    missing_at_cs: list[str] = field(default_factory=list)
    unknown_at_cs: list[str] = field(default_factory=list)
    mismatched: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "cs_records": self.cs_records,
            "missing_at_cs": self.missing_at_cs,
            "unknown_at_cs": self.unknown_at_cs,
            "mismatched": self.mismatched,
        }


def differing_fields(ours: Side, theirs: Side) -> list[str]:
    """Name the compared items that differ between the two records."""
    names = [f for f in COMPARED_FIELDS if ours.body.get(f) != theirs.body.get(f)]
    if ours.my_number_hash != theirs.my_number_hash:
        names.append(MY_NUMBER)
    return names


def compare_range(report: ConsistencyReport, ours: Iterable[Side], theirs: Iterable[Side]) -> None:
    """Compare the records of one code range of both sides, adding to `report`."""
    at_cs = {side.juminhyo_code: side for side in theirs}
    report.cs_records += len(at_cs)
    seen: set[str] = set()
    for mine in ours:
        report.checked += 1
        seen.add(mine.juminhyo_code)
        held = at_cs.get(mine.juminhyo_code)
        if held is None:
            report.missing_at_cs.append(mine.ref)
        elif names := differing_fields(mine, held):
            report.mismatched.append({"person_key": mine.ref, "fields": names})
    report.unknown_at_cs.extend(side.ref for code, side in at_cs.items() if code not in seen)
