"""Check a notice against the wire formats; report bad items by name, never by value."""

from __future__ import annotations

from typing import Any

from jumin_simulator.errors import format_error
from jumin_simulator.validation import field_error, parse

from koseki_simulator.domain.notices import Envelope, FuhyoNoticeBody


def parse_notice(payload: Any, *, municipality_code: str) -> tuple[Envelope, FuhyoNoticeBody]:
    """Validate envelope and body; raise E-FORMAT naming every bad field (loc from the HTTP body).

    The sender must be the ward this system serves (`municipality_code`)."""
    envelope = parse(Envelope, payload, loc=("body",))
    body = parse(FuhyoNoticeBody, envelope.body, loc=("body", "body"))
    if envelope.municipality_code != municipality_code:
        raise format_error([field_error(("body", "municipality_code"), "not_this_ward", _NOT_OURS)])
    return envelope, body


_NOT_OURS = (
    "この戸籍附票システムの区の地方公共団体コードではありません / not the ward this system serves"
)
