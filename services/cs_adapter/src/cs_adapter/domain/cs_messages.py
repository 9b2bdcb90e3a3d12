"""Map the registry's cs.* messages to CS 電文 bodies (pure; INTERFACE.md "Formats").

Items go in the wire formats shared with the 戸籍附票システム (`jumin_platform.deliveries.wire`):
年月日 ``YYYYMMDD`` with zeros for unknown parts, 性別 ``"1"``/``"2"``, 異動事由 ``change_reason`` =
the ward's change-kind code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from jumin_contracts.messages import (
    CsFuhyoNotice,
    CsIdentity,
    CsMoveOutCertificate,
    CsMyNumberChangeRequest,
    RecipientMessage,
)
from jumin_platform.deliveries import Outgoing as _Outgoing
from jumin_platform.deliveries.wire import (
    change_items,
    fuhyo_items,
    wire_calendar_date,
    wire_date,
    wire_sex,
)

__all__ = [
    "MY_NUMBER_FIELD",
    "MessageType",
    "Outgoing",
    "to_outgoing",
]

MY_NUMBER_FIELD: Final = "my_number"


class MessageType(StrEnum):
    """The 電文 types the adapter sends (INTERFACE.md, "Sending")."""

    IDENTITY = "identity"  # 本人確認情報 (住基法30条の6)
    FUHYO_NOTICE = "fuhyo_notice"  # 戸籍附票記載事項通知 (住基法19条)
    MY_NUMBER_REQUEST = "my_number_request"  # 個人番号生成要求 (spec 7.1.2.1)
    MOVEOUT_CERTIFICATE = "moveout_certificate"  # 転出証明書情報 (住基法24条の2)


@dataclass(frozen=True)
class Outgoing(_Outgoing):
    """One CS message body, ready to send; `body` holds the 個人番号 in plain (never store it)."""

    type: MessageType

    @property
    def my_number(self) -> str | None:
        value = self.body.get(MY_NUMBER_FIELD)
        return value if isinstance(value, str) else None

    def without_my_number(self) -> dict[str, Any]:
        """Return the body with the 個人番号 blanked (what may be kept at rest)."""
        body = dict(self.body)
        if MY_NUMBER_FIELD in body:
            body[MY_NUMBER_FIELD] = None
        return body


def to_outgoing(payload: RecipientMessage) -> Outgoing:
    """Map a cs.* contract payload to its CS message; ValueError for another recipient's one."""
    if isinstance(payload, CsIdentity):
        return Outgoing(MessageType.IDENTITY, identity_body(payload))
    if isinstance(payload, CsFuhyoNotice):
        return Outgoing(MessageType.FUHYO_NOTICE, fuhyo_body(payload))
    if isinstance(payload, CsMoveOutCertificate):
        return Outgoing(MessageType.MOVEOUT_CERTIFICATE, moveout_body(payload))
    if isinstance(payload, CsMyNumberChangeRequest):
        return my_number_request(payload.juminhyo_code, reason="change")
    raise ValueError(f"no CS message for {type(payload).__name__}")


def identity_body(p: CsIdentity) -> dict[str, Any]:
    """本人確認情報 (INTERFACE.md, `identity`); the former code only when the code changed."""
    changed_code = (
        {"previous_juminhyo_code": p.previous_juminhyo_code} if p.previous_juminhyo_code else {}
    )
    return {
        **changed_code,
        "juminhyo_code": p.juminhyo_code,
        MY_NUMBER_FIELD: p.my_number,
        "family_name": p.family_name,
        "given_name": p.given_name,
        "family_name_kana": p.family_name_kana,
        "given_name_kana": p.given_name_kana,
        "former_surname": p.former_surname,
        "former_surname_kana": p.former_surname_kana,
        "alias": p.alias,
        "alias_kana": p.alias_kana,
        "name_alphabet": p.name_alphabet,
        "birth_date": wire_date(p.birth_date),
        "sex": wire_sex(p.sex),
        "address": p.address,
        "record_status": p.record_status.value,
        **change_items(p.change_kind, p.occurred_on),
    }


def fuhyo_body(p: CsFuhyoNotice) -> dict[str, Any]:
    """戸籍附票記載事項通知 (INTERFACE.md, `fuhyo_notice`): the 附票 items and the 送付先."""
    return {
        "destination_municipality": p.destination_municipality,
        "destination_municipality_code": p.destination_municipality_code,
        **fuhyo_items(p),
    }


def moveout_body(p: CsMoveOutCertificate) -> dict[str, Any]:
    """転出証明書情報 (INTERFACE.md, `moveout_certificate`)."""
    return {
        "juminhyo_code": p.juminhyo_code,
        MY_NUMBER_FIELD: p.my_number,
        "family_name": p.family_name,
        "given_name": p.given_name,
        "birth_date": wire_date(p.birth_date),
        "sex": wire_sex(p.sex),
        "address": p.address,
        "destination": p.destination,
        "planned_on": wire_calendar_date(p.planned_on),
        "head_name": p.head_name,
        "relationship": p.relationship,
        **change_items(p.change_kind, p.occurred_on),
    }


def my_number_request(juminhyo_code: str, *, reason: str = "new") -> Outgoing:
    """個人番号生成要求 (INTERFACE.md, `my_number_request`; reason new 新規付番 | change 変更請求)."""
    return Outgoing(
        MessageType.MY_NUMBER_REQUEST, {"juminhyo_code": juminhyo_code, "reason": reason}
    )
