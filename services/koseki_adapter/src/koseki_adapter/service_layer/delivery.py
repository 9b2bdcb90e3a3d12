"""Deliver one `koseki.fuhyo_notice` to the 戸籍附票システム: the consumer kit's handler.

Runs inside the kit's transaction, on its connection (the shared
`jumin_platform.deliveries.sending`): map the payload to the 附票記載事項通知, send it under the
key derived from the event, and record the transmission (提供・移転の記録) — or, in 手動連携 or
behind the person's held notices, record it as held without sending.

The 照合結果 decides what the kit does: accepted (201, or 200 replayed) → done; 照合不一致 (422
E-KOSEKI-UNKNOWN / E-PERSON-UNKNOWN / E-…-MISMATCH), 409 E-KEY-REUSED, 400 E-FORMAT or 422
E-REJECTED → `PermanentError`: the kit dead-letters the message and holds the person's later
notices until an operator resends or skips; 503, timeouts, refused connections and lost replies
→ `TransientError`: the kit retries under the same key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import KosekiFuhyoNotice, RecipientMessage
from jumin_platform.consumer import PermanentError
from jumin_platform.deliveries import DeliveryLedger, PlainKeeping
from jumin_platform.deliveries.sending import LedgerSending

from koseki_adapter.adapters.fuhyo_client import FuhyoClient
from koseki_adapter.config import SCHEMA
from koseki_adapter.domain.fuhyo_notices import notice_key, to_outgoing
from koseki_adapter.service_layer.unit_of_work import UnitsOfWork


@dataclass
class FuhyoDelivery:
    """The consumer kit's handler for recipient `koseki`."""

    fuhyo: FuhyoClient
    uow: UnitsOfWork  # the adapter's own transactions: records that must outlive a rollback
    sending: LedgerSending = field(init=False)

    def __post_init__(self) -> None:
        self.sending = LedgerSending(self.fuhyo, PlainKeeping(), self.uow)

    async def __call__(
        self, envelope: Envelope, payload: RecipientMessage, connection: Any
    ) -> None:
        """Send (or hold) the notice and record it."""
        if not isinstance(payload, KosekiFuhyoNotice):
            raise PermanentError(f"no 附票 notice for {type(payload).__name__}")
        repo = DeliveryLedger(connection, SCHEMA)
        attempt = await self.sending.begin(repo, envelope)
        message = to_outgoing(payload)
        await self.sending.send_or_hold(attempt, message, notice_key(envelope.event_id))
        await self.sending.finish(repo, attempt)
