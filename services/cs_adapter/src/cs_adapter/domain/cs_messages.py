"""Map the registry's cs.* messages to CS 電文 bodies (pure; INTERFACE.md "Formats").

CS conventions: 年月日 as 8 characters ``YYYYMMDD`` with unknown parts as zeros (the 頃 / 推定 /
上旬 qualifiers of a 不詳日 have no place in the 電文 and do not travel), 性別 ``"1"``/``"2"``,
異動事由 ``change_reason`` = the ward's change-kind code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Final

from jumin_contracts.codes import ChangeKind, Sex
from jumin_contracts.dates import PartialDate
from jumin_contracts.messages import (
    CsFuhyoNotice,
    CsIdentity,
    CsMoveOutCertificate,
    CsMyNumberChangeRequest,
    RecipientMessage,
)

__all__ = [
    "MY_NUMBER_FIELD",
    "MessageType",
    "Outgoing",
    "cs_date",
    "cs_sex",
    "to_outgoing",
]

MY_NUMBER_FIELD: Final = "my_number"
_SEX: Final = {Sex.MALE: "1", Sex.FEMALE: "2"}


class MessageType(StrEnum):
    """The 電文 types the adapter sends (INTERFACE.md, "Sending")."""

    IDENTITY = "identity"  # 本人確認情報 (住基法30条の6)
    FUHYO_NOTICE = "fuhyo_notice"  # 戸籍附票記載事項通知 (住基法19条)
    MY_NUMBER_REQUEST = "my_number_request"  # 個人番号生成要求 (spec 7.1.2.1)
    MOVEOUT_CERTIFICATE = "moveout_certificate"  # 転出証明書情報 (住基法24条の2)


@dataclass(frozen=True)
class Outgoing:
    """One CS message body, ready to send; `body` holds the 個人番号 in plain (never store it)."""

    type: MessageType
    body: Mapping[str, Any]

    @property
    def fields(self) -> list[str]:
        """Return the names of the items that go to CS (for the 提供記録)."""
        return sorted(name for name, value in self.body.items() if value is not None)

    @property
    def change_reason(self) -> str | None:
        """Return the 異動事由 sent (None for a 個人番号生成要求)."""
        reason = self.body.get("change_reason")
        return reason if isinstance(reason, str) else None

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

    def with_change_reason(self, reason: str) -> Outgoing:
        """Return the same message carrying another 異動事由 (a 再送信 may change it)."""
        return Outgoing(self.type, {**self.body, "change_reason": reason})


def cs_date(stored: str) -> str:
    """Turn a stored 年月日 (2021-04-05, 2021-04-xx, xxxx-xx-xx …) into CS ``YYYYMMDD``."""
    d = PartialDate.from_storage(stored)
    return f"{d.year or 0:04d}{d.month or 0:02d}{d.day or 0:02d}"


def cs_calendar_date(d: date) -> str:
    """Write a calendar date as CS ``YYYYMMDD``."""
    return d.strftime("%Y%m%d")


def cs_sex(sex: Sex) -> str:
    """Turn the ward's 性別 into the CS code ("1" 男, "2" 女)."""
    return _SEX[sex]


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


def _change(kind: ChangeKind, occurred_on: str) -> dict[str, str]:
    return {"change_reason": kind.value, "change_date": cs_date(occurred_on)}


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
        "birth_date": cs_date(p.birth_date),
        "sex": cs_sex(p.sex),
        "address": p.address,
        "record_status": p.record_status.value,
        **_change(p.change_kind, p.occurred_on),
    }


def fuhyo_body(p: CsFuhyoNotice) -> dict[str, Any]:
    """戸籍附票記載事項通知 (INTERFACE.md, `fuhyo_notice`)."""
    return {
        "destination_municipality": p.destination_municipality,
        "destination_municipality_code": p.destination_municipality_code,
        "honseki": p.honseki,
        "hittosha": p.hittosha,
        "family_name": p.family_name,
        "given_name": p.given_name,
        "address": p.address,
        "moved_abroad": p.moved_abroad,
        "abroad_country": p.abroad_country,
        "address_since": cs_date(p.address_since),
        "birth_date": cs_date(p.birth_date),
        "sex": cs_sex(p.sex),
        "juminhyo_code": p.juminhyo_code,
        **_change(p.change_kind, p.occurred_on),
    }


def moveout_body(p: CsMoveOutCertificate) -> dict[str, Any]:
    """転出証明書情報 (INTERFACE.md, `moveout_certificate`)."""
    return {
        "juminhyo_code": p.juminhyo_code,
        MY_NUMBER_FIELD: p.my_number,
        "family_name": p.family_name,
        "given_name": p.given_name,
        "birth_date": cs_date(p.birth_date),
        "sex": cs_sex(p.sex),
        "address": p.address,
        "destination": p.destination,
        "planned_on": cs_calendar_date(p.planned_on),
        "head_name": p.head_name,
        "relationship": p.relationship,
        **_change(p.change_kind, p.occurred_on),
    }


def my_number_request(juminhyo_code: str, *, reason: str = "new") -> Outgoing:
    """個人番号生成要求 (INTERFACE.md, `my_number_request`; reason new 新規付番 | change 変更請求)."""
    return Outgoing(
        MessageType.MY_NUMBER_REQUEST, {"juminhyo_code": juminhyo_code, "reason": reason}
    )
