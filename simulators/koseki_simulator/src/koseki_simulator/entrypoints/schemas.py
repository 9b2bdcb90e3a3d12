"""What the HTTP API answers (OpenAPI response models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from jumin_simulator.feed import QueuedNotice
from jumin_simulator.received import ReceivedOut as SharedReceivedOut
from pydantic import BaseModel

from koseki_simulator.domain.fuhyo import Koseki, Member
from koseki_simulator.domain.notices import AddressEntry
from koseki_simulator.domain.state import Answer
from koseki_simulator.service_layer.handlers import Receipt


class NoticeReceipt(BaseModel):
    """照合結果 accepted: the 受付番号 and whether this answer replays a stored one."""

    receipt_no: str
    received_at: datetime
    result: Literal["accepted"]
    replayed: bool

    @classmethod
    def of(cls, receipt: Receipt) -> NoticeReceipt:
        """Describe an accepted receipt."""
        answer = receipt.answer
        return cls(
            receipt_no=answer.receipt_no,
            received_at=answer.received_at,
            result="accepted",
            replayed=receipt.replayed,
        )


class FuhyoOut(BaseModel):
    """One person's 附票 (住基法17条): 戸籍の表示, identity items, the current 住所 line and all."""

    juminhyo_code: str
    honseki: str
    hittosha: str
    family_name: str
    given_name: str
    birth_date: str
    sex: str
    address: str | None
    address_since: str | None
    moved_abroad: bool
    abroad_country: str | None
    addresses: list[AddressEntry]

    @classmethod
    def of(cls, koseki: Koseki, member: Member) -> FuhyoOut:
        """Describe a member's 附票."""
        assert member.juminhyo_code is not None
        latest = member.addresses[-1] if member.addresses else None
        return cls(
            juminhyo_code=member.juminhyo_code,
            honseki=koseki.honseki,
            hittosha=koseki.hittosha,
            family_name=member.family_name,
            given_name=member.given_name,
            birth_date=member.birth_date,
            sex=member.sex,
            address=latest.address if latest else None,
            address_since=latest.address_since if latest else None,
            moved_abroad=latest.moved_abroad if latest else False,
            abroad_country=latest.abroad_country if latest else None,
            addresses=list(member.addresses),
        )


class FuhyoPage(BaseModel):
    """A page of 附票; `next` is the 住民票コード to ask after, null on the last page."""

    items: list[FuhyoOut]
    next: str | None


class KosekiOut(BaseModel):
    """A held 戸籍 with every member, also those 除籍 (`in_koseki` false)."""

    honseki: str
    hittosha: str
    members: list[dict[str, Any]]

    @classmethod
    def of(cls, koseki: Koseki) -> KosekiOut:
        """Describe a 戸籍."""
        dumped = koseki.dump()
        return cls(honseki=koseki.honseki, hittosha=koseki.hittosha, members=dumped["members"])


class KosekiList(BaseModel):
    """Held 戸籍."""

    items: list[KosekiOut]


class ReceivedOut(SharedReceivedOut):
    """A received notice and its 照合結果 (simulator inspection)."""

    mismatches: list[str]

    @classmethod
    def of(cls, a: Answer) -> ReceivedOut:
        """Describe a received notice."""
        return cls(**cls.items_of(a), mismatches=list(a.mismatches))


class ReceivedList(BaseModel):
    """Received notices in receipt order."""

    items: list[ReceivedOut]


class QueuedNotices(BaseModel):
    """The notices an injected event queued, in cursor order."""

    items: list[QueuedNotice]
