"""Compare the adapter's records with the external system's, one code range at a time (pure).

Each side's records are keyed by 住民票コード; the adapter's carry the person key, the external
system's a reference of its own (a receipt number, or the code itself). The report names people,
references and item names, never values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Record", "Report", "compare_range", "differing_items"]


@dataclass(frozen=True)
class Record:
    """One record on either side: its 住民票コード, its items (compared by name), and `ref`."""

    juminhyo_code: str
    items: Mapping[str, Any]
    ref: str  # person key (the adapter's side) or the external system's reference


@dataclass
class Report:
    """What differs between the adapter's records and those of `system` (`cs`, `fuhyo`)."""

    system: str
    checked: int = 0
    records: int = 0
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    mismatched: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The stored result: counts, person keys, references and item names."""
        s = self.system
        return {
            "checked": self.checked,
            f"{s}_records": self.records,
            f"missing_at_{s}": self.missing,
            f"unknown_at_{s}": self.unknown,
            "mismatched": self.mismatched,
        }


def differing_items(ours: Record, theirs: Record, names: Sequence[str]) -> list[str]:
    """Name the compared items that differ between the two records."""
    return [n for n in names if ours.items.get(n) != theirs.items.get(n)]


def compare_range(
    report: Report, ours: Iterable[Record], theirs: Iterable[Record], names: Sequence[str]
) -> None:
    """Compare the records of one code range of both sides on `names`, adding to `report`."""
    held_there = {record.juminhyo_code: record for record in theirs}
    report.records += len(held_there)
    seen: set[str] = set()
    for mine in ours:
        report.checked += 1
        seen.add(mine.juminhyo_code)
        held = held_there.get(mine.juminhyo_code)
        if held is None:
            report.missing.append(mine.ref)
        elif differing := differing_items(mine, held, names):
            report.mismatched.append({"person_key": mine.ref, "fields": differing})
    report.unknown.extend(r.ref for code, r in held_there.items() if code not in seen)
