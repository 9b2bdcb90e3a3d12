"""COPY records of the synthetic ward: table shapes and the bulk-load changes rows point at."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jumin_contracts.codes import ChangeKind

from bench.synthetic_ward.dates import REFERENCE_DAY

Converter = Callable[[Any], Any]
_CONVERTERS: dict[str, Converter] = {
    "date": date.fromisoformat,
    "timestamp with time zone": datetime.fromisoformat,
    "uuid": uuid.UUID,
    "jsonb": lambda value: json.dumps(value, ensure_ascii=False),
}


@dataclass(frozen=True)
class RecordShape:
    """Turn rows.py's JSON columns into COPY records: the table's column order and types."""

    columns: tuple[str, ...]
    converters: tuple[Converter | None, ...]

    @classmethod
    def of(cls, columns: Sequence[tuple[str, str]]) -> RecordShape:
        """Build from (column name, format_type) pairs as pg_attribute lists them."""
        return cls(
            columns=tuple(name for name, _ in columns),
            converters=tuple(_CONVERTERS.get(type_name) for _, type_name in columns),
        )

    def record(self, values: Mapping[str, object]) -> tuple[object, ...]:
        """Return one record; a column rows.py does not write raises KeyError (schema drift)."""
        return tuple(
            value if convert is None or value is None else convert(value)
            for value, convert in zip(
                (values[name] for name in self.columns), self.converters, strict=True
            )
        )


CHANGE_COLUMNS = (
    "change_id", "kind", "status", "occurred_on", "notified_on", "request", "terminal",
    "created_by", "created_at", "decided_by", "decided_at", "subjects",
)  # fmt: skip
HOUSEHOLD_COLUMNS = ("household_no", "created_at")


@dataclass(frozen=True)
class BulkChanges:
    """Hold the synthetic 'bulk load' changes every history row points at (one per row kind)."""

    entry: uuid.UUID  # history_no 1: 転入・出生 (データ移行)
    move: uuid.UUID  # 転居
    removal: uuid.UUID  # 転出

    @classmethod
    def draw(cls, rng: random.Random) -> BulkChanges:
        """Draw three seeded change ids."""
        ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(3)]
        return cls(*ids)

    def records(self, counts: Mapping[uuid.UUID, int], now: datetime) -> list[tuple[object, ...]]:
        """Return the approved change rows in CHANGE_COLUMNS order."""
        kinds = {
            self.entry: ChangeKind.EX_OFFICIO_ENTRY,
            self.move: ChangeKind.MOVE_WITHIN_WARD,
            self.removal: ChangeKind.DOMESTIC_MOVE_OUT,
        }
        return [
            (change_id, kind.value, "approved", REFERENCE_DAY.isoformat(), None,
             json.dumps({"bench": "synthetic bulk load", "kind": kind.value,
                         "rows": counts.get(change_id, 0)}),
             "bench", "bench-loader", now, "bench-approver", now, [])
            for change_id, kind in kinds.items()
        ]  # fmt: skip
