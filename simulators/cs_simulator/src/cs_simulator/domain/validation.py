"""Check a transmission against the 電文 formats and report bad items by name, never by value."""

from __future__ import annotations

from typing import Any

from jumin_simulator.errors import format_error
from jumin_simulator.validation import field_error, parse

from cs_simulator.domain.messages import BODY_MODELS, Envelope, MessageBody


def parse_message(payload: Any, *, municipality_code: str) -> tuple[Envelope, MessageBody]:
    """Validate envelope and body; raise E-FORMAT naming every bad field (loc from the HTTP body)."""
    envelope = parse(Envelope, payload, loc=("body",))
    body = parse(BODY_MODELS[envelope.type], envelope.body, loc=("body", "body"))
    if envelope.municipality_code != municipality_code:
        raise format_error([field_error(("body", "municipality_code"), "not_this_cs", _NOT_OURS)])
    return envelope, body


_NOT_OURS = "この市町村CSの地方公共団体コードではありません / not the municipality this CS serves"
