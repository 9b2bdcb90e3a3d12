"""Keep the 個人番号 of a message sealed at rest, and put it back to send the message again."""

from __future__ import annotations

from jumin_platform.my_number_vault import MyNumberVault

from cs_adapter.domain.cs_messages import MY_NUMBER_FIELD, MessageType, Outgoing
from cs_adapter.domain.deliveries import Delivery


def seal(vault: MyNumberVault, message: Outgoing, *, person_key: str) -> str | None:
    """Seal the message's 個人番号 for this person (None when it carries none)."""
    number = message.my_number
    return vault.seal(number, atena_no=person_key) if number else None


def rebuild(vault: MyNumberVault, delivery: Delivery) -> Outgoing:
    """Return the message a record holds, its 個人番号 unsealed, ready to send again."""
    body = dict(delivery.body)
    if delivery.my_number_sealed:
        body[MY_NUMBER_FIELD] = vault.open(delivery.my_number_sealed, atena_no=delivery.person_key)
    return Outgoing(MessageType(delivery.type), body)
