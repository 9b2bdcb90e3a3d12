"""Map the registry's `koseki.fuhyo_notice` to the 附票記載事項通知 the 戸籍附票システム takes
(pure; simulators/koseki_simulator/INTERFACE.md "Sending").

The body is the 附票 items of 住基法17条 1–7号 (戸籍の表示, 氏名, 住所 or 国外転出者である旨,
住所を定めた年月日, 出生の年月日, 男女の別, 住民票コード) with the 異動事由 and 異動年月日, in the
wire formats shared with CS (`jumin_platform.deliveries.wire`): the same items as CS's
`fuhyo_notice` less its 送付先.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar, Final
from uuid import UUID

from jumin_contracts.messages import KosekiFuhyoNotice
from jumin_platform.deliveries import Outgoing, Reply
from jumin_platform.deliveries.wire import fuhyo_items

__all__ = ["FUHYO_NOTICE", "MESSAGE_TYPES", "FuhyoReply", "notice_key", "to_outgoing"]

FUHYO_NOTICE: Final = "fuhyo_notice"
"""The one message type the adapter sends: 附票記載事項通知 (住基法19条1項)."""
MESSAGE_TYPES: Final = (FUHYO_NOTICE,)

_KEY_NAMESPACE: Final = "koseki.fuhyo_notice"


@dataclass(frozen=True)
class FuhyoReply(Reply):
    """The 照合結果 of one POST /koseki/v1/notices (status None: no answer at all).

    On a 422 照合不一致 `code` is the first mismatch and `errors` lists every mismatch code
    (E-NAME-MISMATCH …), never values; the notice was received (`receipt_no`).
    """

    SYSTEM: ClassVar[str] = "koseki"


def to_outgoing(payload: KosekiFuhyoNotice) -> Outgoing:
    """Return the 附票記載事項通知 for a `koseki.fuhyo_notice`."""
    return Outgoing(FUHYO_NOTICE, fuhyo_items(payload))


def notice_key(event_id: UUID) -> UUID:
    """Return the Idempotency-Key of an event's notice: derived from the event, so a retry of
    the same event (the kit's, or the registry's redelivery) reuses it and is answered with the
    stored 照合結果; a 再送信 goes under a new key."""
    return uuid.uuid5(event_id, _KEY_NAMESPACE)
