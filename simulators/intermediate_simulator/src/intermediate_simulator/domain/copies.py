"""副本: the versions of one person's data item, and the rules an operation must keep.

Operations on one 副本 (符号 × data item) must come in the register's order (`as_of` never goes
back), a registration finds no 副本 (or a deleted one), an update or deletion finds one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jumin_simulator.errors import CodedError
from pydantic import AwareDatetime, BaseModel, ConfigDict

from intermediate_simulator.domain.errors import already_registered, not_registered, out_of_order
from intermediate_simulator.domain.messages import CopyOperation


class CopyVersion(BaseModel):
    """One version of a 副本 (the result of one operation)."""

    model_config = ConfigDict(frozen=True)

    fugo: str
    data_item: str
    version: int
    operation: str
    as_of: AwareDatetime
    items: dict[str, Any] | None
    receipt_no: str
    stored_at: AwareDatetime

    @property
    def deleted(self) -> bool:
        return self.items is None


def refusal(current: CopyVersion | None, message: CopyOperation) -> CodedError | None:
    """Why *message* cannot apply to the 副本 as it stands (None: it can)."""
    if current is not None and message.as_of < current.as_of:
        return out_of_order()
    exists = current is not None and not current.deleted
    if message.operation == "register" and exists:
        return already_registered()
    if message.operation != "register" and not exists:
        return not_registered()
    return None


def next_version(
    current: CopyVersion | None,
    message: CopyOperation,
    items: dict[str, Any] | None,
    *,
    receipt_no: str,
    now: datetime,
) -> CopyVersion:
    """The 副本 after *message* (already checked by `refusal`)."""
    return CopyVersion(
        fugo=message.fugo,
        data_item=message.data_item,
        version=1 if current is None else current.version + 1,
        operation=message.operation,
        as_of=message.as_of,
        items=items,
        receipt_no=receipt_no,
        stored_at=now,
    )
