"""CS's rules on top of the shared delivery record: how its answers read, when a 個人番号生成要求
follows an identity, and the key that request goes with.

Pure: no I/O. Status, reply classification, the hold rule and the record itself are the
platform's (`jumin_platform.deliveries`), shared with the 戸籍附票 adapter.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar, Final
from uuid import UUID

from jumin_contracts.codes import ChangeKind
from jumin_contracts.messages import CsIdentity, RecordState
from jumin_platform.deliveries import Reply

__all__ = [
    "NEW_NUMBER_KINDS",
    "CsReply",
    "my_number_request_key",
    "needs_my_number_request",
]


@dataclass(frozen=True)
class CsReply(Reply):
    """The answer to one POST /cs/v1/messages (status None: no answer at all)."""

    SYSTEM: ClassVar[str] = "CS"


NEW_NUMBER_KINDS: Final = frozenset(
    {
        ChangeKind.BIRTH,
        ChangeKind.MOVE_IN_FROM_ABROAD,
        ChangeKind.EX_OFFICIO_ENTRY,
        ChangeKind.FOREIGN_MOVE_IN_30_46,
    }
)
"""記載 kinds after which a person without a 個人番号 needs one generated (新規付番, 7.1.2.1)."""

_REQUEST_NAMESPACE: Final = "my_number_request"


def needs_my_number_request(identity: CsIdentity) -> bool:
    """Tell whether this 本人確認情報 calls for a 個人番号生成要求 (新規付番)."""
    return (
        identity.record_status is RecordState.RESIDENT
        and identity.juminhyo_code is not None
        and identity.my_number is None
        and identity.change_kind in NEW_NUMBER_KINDS
    )


def my_number_request_key(event_id: UUID) -> UUID:
    """Return the idempotency key of the 生成要求 an event triggers (the same on every retry)."""
    return uuid.uuid5(event_id, _REQUEST_NAMESPACE)
