"""整合性確認 (spec 7.1.1.2): what CS holds against the registry's latest 本人確認情報 (pure).

Both sides are in CS form and compared by `jumin_platform.consistency.compare`. The 個人番号 is
compared through its keyed hash (the adapter keeps no plain number). 異動事由 and 異動日 are not
compared: a resend may change the reason, and they say how a record came about, not what it is.
Results name people by their opaque person key, CS records by receipt number, and fields by name
— never values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from jumin_contracts.messages import IDENTITY_ITEMS
from jumin_platform.consistency.compare import Record, Report

__all__ = ["COMPARED_FIELDS", "SYSTEM", "cs_record", "new_report"]

MY_NUMBER: Final = "my_number"
COMPARED_FIELDS: Final = (
    *(n for n in IDENTITY_ITEMS if n not in {"juminhyo_code", MY_NUMBER}),
    MY_NUMBER,
)
"""本人確認情報 compared item by item: the 住民票コード pairs the two sides, the 個人番号 is compared
by its keyed hash."""
SYSTEM: Final = "cs"


def new_report() -> Report:
    """An empty report on CS (`cs_records`, `missing_at_cs`, `unknown_at_cs`)."""
    return Report(SYSTEM)


def cs_record(
    juminhyo_code: str, body: Mapping[str, Any], my_number_hash: str | None, ref: str
) -> Record:
    """One side's record: the CS-form body with the 個人番号 replaced by its keyed hash."""
    return Record(juminhyo_code, {**body, MY_NUMBER: my_number_hash}, ref)
