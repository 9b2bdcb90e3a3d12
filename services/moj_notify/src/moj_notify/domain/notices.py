"""Map the registry's `moj.municipal_notice` to what the 連携サーバ takes (pure).

Every event is one 市町村通知 (入管法61条の8の2); a 住居地届出 the ward received at the counter
is also a 市町村伝達 (入管令2条) — a 国内転入, 法第30条の46転入, 転居 or 法第30条の47届出 (the
`juki_and_immigration` class) with a 届出年月日, by a 中長期在留者 (who has a 在留カード). Items
and formats: simulators/moj_simulator/INTERFACE.md "Sending"; the rules' sources:
DOMAIN-SERVICES.md §2 and the service's README.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Final
from uuid import UUID

from jumin_contracts.codes import ChangeKind, ForeignResidentCategory
from jumin_contracts.dates import PartialDate
from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import MojMunicipalNotice, NoticeClass
from jumin_platform.deliveries import Outgoing, Reply
from jumin_platform.deliveries.wire import wire_calendar_date, wire_date, wire_sex

from moj_notify.domain.nationalities import nationality_code

__all__ = [
    "FILING_ARTICLES",
    "MESSAGE_TYPES",
    "MUNICIPAL_NOTICE",
    "MUNICIPAL_TRANSMISSION",
    "MojReply",
    "PlannedNotice",
    "held_until",
    "notice_key",
    "plan_notices",
]

MUNICIPAL_NOTICE: Final = "municipal_notice"
"""市町村通知 (入管法61条の8の2)."""
MUNICIPAL_TRANSMISSION: Final = "municipal_transmission"
"""市町村伝達 (入管令2条: a 住居地届出 received by the ward)."""
MESSAGE_TYPES: Final = (MUNICIPAL_NOTICE, MUNICIPAL_TRANSMISSION)

FILING_ARTICLES: Final = {
    ChangeKind.FOREIGN_MOVE_IN_30_46: "19-7",  # 新規上陸後の住居地届出 (入管法19条の7)
    ChangeKind.RESIDENCE_STATUS_30_47: "19-8",  # 在留資格変更等に伴う届出 (19条の8)
    ChangeKind.DOMESTIC_MOVE_IN: "19-9",  # 住居地の変更届出 (19条の9)
    ChangeKind.MOVE_WITHIN_WARD: "19-9",
}
"""The 入管法 article a 住居地届出 counts under, by 異動事由 (入管法19条の7第3項・19条の8第3項・
19条の9第3項: a 転入届・転居届 with the 在留カード is that 届出)."""


@dataclass(frozen=True)
class MojReply(Reply):
    """The answer to one POST /moj/v1/notices (status None: no answer at all)."""

    SYSTEM: ClassVar[str] = "MOJ"


@dataclass(frozen=True)
class PlannedNotice:
    """One transmission an event asks for, with its key and the day it may go (None: at once)."""

    message: Outgoing
    key: UUID
    not_before: date | None


def plan_notices(envelope: Envelope, payload: MojMunicipalNotice) -> list[PlannedNotice]:
    """Return the 市町村通知 and, for a 住居地届出 at the counter, the 市町村伝達 of an event.

    Raises `UnknownNationality` when the 国籍・地域 is not in the code table."""
    messages = [Outgoing(MUNICIPAL_NOTICE, municipal_notice(payload, envelope.notified_on))]
    if envelope.notified_on is not None and is_residence_filing(payload):
        transmission = municipal_transmission(payload, envelope.notified_on)
        messages.append(Outgoing(MUNICIPAL_TRANSMISSION, transmission))
    not_before = held_until(payload.occurred_on)
    return [PlannedNotice(m, notice_key(envelope.event_id, m.type), not_before) for m in messages]


def is_residence_filing(payload: MojMunicipalNotice) -> bool:
    """Tell whether the change is a 住居地届出 that the ward passes on as a 市町村伝達."""
    return (
        payload.notice_class is NoticeClass.JUKI_AND_IMMIGRATION
        and payload.change_kind in FILING_ARTICLES
        and payload.foreign_category is ForeignResidentCategory.MID_LONG_TERM
        and payload.residence_card_no is not None
    )


def municipal_notice(payload: MojMunicipalNotice, notified_on: date | None) -> dict[str, Any]:
    """The 市町村通知's items: 通知区分, 異動事由・異動年月日・届出年月日 and the 30条の45 items."""
    return {
        "notice_class": payload.notice_class.value,
        "change_reason": payload.change_kind.value,
        "change_date": wire_date(payload.occurred_on),
        "notification_date": wire_calendar_date(notified_on) if notified_on else None,
        **_person(payload),
        # 前住所: not in the contract yet (sent as null until the registry provides it)
        "previous_address": getattr(payload, "previous_address", None),
        "foreign_category": payload.foreign_category.value,
        "status_of_residence": payload.status_of_residence,
        "period_of_stay": payload.period_of_stay,
        "stay_expires_on": _calendar(payload.stay_expires_on),
        "residence_card_no": payload.residence_card_no,
        "special_permanent_cert_no": payload.special_permanent_cert_no,
    }


def municipal_transmission(payload: MojMunicipalNotice, notified_on: date) -> dict[str, Any]:
    """The 市町村伝達's items (入管令2条): which 届出, when, who, where, the 在留カード番号."""
    return {
        "filing_article": FILING_ARTICLES[payload.change_kind],
        "notification_date": wire_calendar_date(notified_on),
        **_person(payload),
        "residence_card_no": payload.residence_card_no,
    }


def _person(payload: MojMunicipalNotice) -> dict[str, Any]:
    return {
        "name_alphabet": payload.name_alphabet,
        "family_name": payload.family_name,
        "given_name": payload.given_name,
        "birth_date": wire_date(payload.birth_date),
        "sex": wire_sex(payload.sex),
        "nationality": nationality_code(payload.nationality),
        "address": payload.address,
    }


def _calendar(d: date | None) -> str | None:
    return wire_calendar_date(d) if d is not None else None


def held_until(occurred_on: str) -> date | None:
    """Return the 異動日 as the first day the notice may go (a 転出予定日 ahead is waited for);
    None when part of it is unknown (nothing to wait for)."""
    d = PartialDate.from_storage(occurred_on)
    if d.year is None or d.month is None or d.day is None:
        return None
    return date(d.year, d.month, d.day)


def notice_key(event_id: UUID, message_type: str) -> UUID:
    """Return the Idempotency-Key of an event's notice of a type: derived from both, so every
    retry (the dispatcher's, the registry's redelivery) reuses it and the ministry replays."""
    return uuid.uuid5(event_id, f"moj.{message_type}")
