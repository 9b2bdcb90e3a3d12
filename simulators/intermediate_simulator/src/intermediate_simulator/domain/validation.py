"""Check a 副本 operation: the envelope, the sender, the items against the data item's model."""

from __future__ import annotations

from typing import Any

from jumin_simulator.validation import check_sender, parse

from intermediate_simulator.domain.data_items import DATA_ITEMS
from intermediate_simulator.domain.messages import Envelope


def parse_operation(
    payload: Any, *, municipality_code: str
) -> tuple[Envelope, dict[str, Any] | None]:
    """Validate the message; raise E-FORMAT naming every bad field (loc from the HTTP body).

    Returns the envelope and the items as the 副本 keeps them (validated; None for a delete)."""
    envelope = parse(Envelope, payload, loc=("body",))
    check_sender(envelope.municipality_code, served=municipality_code)
    operation = envelope.body
    if operation.items is None:
        return envelope, None
    _, model = DATA_ITEMS[operation.data_item]
    items = parse(model, operation.items, loc=("body", "body", "items"))
    return envelope, items.model_dump(mode="json")
