"""Check a transmission against the wire formats and the rules; name bad items, never values."""

from __future__ import annotations

from typing import Any

from jumin_simulator.errors import format_error
from jumin_simulator.validation import field_error, parse

from moj_simulator.domain.errors import not_notifiable
from moj_simulator.domain.notices import (
    MUNICIPAL_NOTICE,
    Envelope,
    MunicipalNoticeBody,
    MunicipalTransmissionBody,
    NoticeBody,
)
from moj_simulator.domain.rules import NOT_NOTIFIED, category_errors, class_errors, name_errors

_BODY = ("body", "body")


def parse_notice(payload: Any, *, municipality_code: str) -> tuple[Envelope, NoticeBody]:
    """Validate envelope and body; raise E-FORMAT naming every bad field (loc from the HTTP body),
    E-NOT-NOTIFIABLE for a 異動事由 the ministry is never told of.

    The sender must be the ward the simulator serves (`municipality_code`)."""
    envelope = parse(Envelope, payload, loc=("body",))
    body: NoticeBody
    if envelope.type == MUNICIPAL_NOTICE:
        body = parse(MunicipalNoticeBody, envelope.body, loc=_BODY)
        errors = class_errors(body, _BODY) + category_errors(body, _BODY)
    else:
        body = parse(MunicipalTransmissionBody, envelope.body, loc=_BODY)
        errors = []
    errors = name_errors(body, _BODY) + errors
    if envelope.municipality_code != municipality_code:
        errors.append(field_error(("body", "municipality_code"), "not_this_ward", _NOT_OURS))
    if errors:
        raise format_error(errors)
    if isinstance(body, MunicipalNoticeBody) and body.change_reason in NOT_NOTIFIED:
        raise not_notifiable()
    return envelope, body


_NOT_OURS = "この連携の市区町村の地方公共団体コードではありません / not the ward this link serves"
