"""Keep the 個人番号 of a CS message sealed at rest, and put it back to send the message again."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from jumin_platform.deliveries import Delivery, Outgoing, PlainKeeping
from jumin_platform.my_number_vault import MyNumberVault

from cs_adapter.domain.cs_messages import MY_NUMBER_FIELD, MessageType
from cs_adapter.domain.cs_messages import Outgoing as CsOutgoing


class SealedKeeping(PlainKeeping):
    """CS's `RecordKeeping`: the 個人番号 sealed apart from the body, unsealed to send again."""

    def __init__(self, vault: MyNumberVault) -> None:
        self._vault = vault

    def at_rest(self, message: Outgoing, *, person_key: str) -> tuple[dict[str, Any], str | None]:
        cs = CsOutgoing(MessageType(message.type), message.body)
        number = cs.my_number
        sealed = self._vault.seal(number, atena_no=person_key) if number else None
        return cs.without_my_number(), sealed

    def rebuild(self, delivery: Delivery) -> CsOutgoing:
        body = dict(delivery.body)
        if delivery.my_number_sealed:
            body[MY_NUMBER_FIELD] = self._vault.open(
                delivery.my_number_sealed, atena_no=delivery.person_key
            )
        return CsOutgoing(MessageType(delivery.type), body)

    def resend_key(self, delivery: Delivery) -> UUID:
        """A new Idempotency-Key (再送信 is a new transmission), except for a 個人番号生成要求.

        CS generates one number per request it accepts: the same request sent under a new key
        would ask J-LIS for another number. Under its first key CS accepts it if it never got
        it, and replays its answer if it did.
        """
        if delivery.type == MessageType.MY_NUMBER_REQUEST.value:
            return delivery.idempotency_key
        return super().resend_key(delivery)
