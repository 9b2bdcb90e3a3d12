"""What the inbound tests do to the world: a notice sent and answered, waits on the service."""

from __future__ import annotations

from datetime import date
from typing import Any

from jumin_contracts.codes import ChangeKind, ForeignResidentCategory, Sex
from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import MojMunicipalNotice, NoticeClass
from jumin_testing.adapter_harness import RegistrySide, Running
from jumin_testing.envelopes import person, wrap
from jumin_testing.waiting import eventually

from ...simulated import Simulated
from ..conftest import Db

__all__ = ["CARD_NO", "correction_event", "entries", "open_blocks", "send_one"]

CARD_NO = "AB12345678CD"


def correction_event(person_key: str, seq: int, **changes: Any) -> Envelope:
    """A 職権修正 of a 中長期在留者 (class 住基法: no 届出年月日 needed)."""
    values: dict[str, Any] = {
        "change_kind": ChangeKind.EX_OFFICIO_AMENDMENT,
        "occurred_on": "2026-11-18",
        "name_alphabet": "NGUYEN VAN AN",
        "family_name": "グエン",
        "given_name": "ヴァン アン",
        "birth_date": "1995-03-04",
        "sex": Sex.MALE,
        "nationality": "ベトナム",
        "address": "東京都新宿区百人町一丁目2番3号",
        "foreign_category": ForeignResidentCategory.MID_LONG_TERM,
        "status_of_residence": "技術・人文知識・国際業務",
        "period_of_stay": "3年",
        "stay_expires_on": date(2029, 4, 1),
        "residence_card_no": CARD_NO,
        "special_permanent_cert_no": None,
        "notice_class": NoticeClass.JUKI,
    }
    return wrap(MojMunicipalNotice(**(values | changes)), person_key, seq)


async def send_one(
    registry: RegistrySide, system: Simulated, seq: int = 1
) -> tuple[str, dict[str, Any]]:
    """Publish one event; return the person key and what the ministry received of it."""
    person_key = person()
    envelope = correction_event(person_key, seq)
    await registry.publish(envelope)
    [received] = await eventually(
        lambda: system.received(event_id=str(envelope.event_id)),
        until=lambda items: len(items) == 1,
        what="the notice at the ministry",
    )
    return person_key, received


async def entries(service: Running, status: str = "open") -> list[dict[str, Any]]:
    answer = await service.api.get(
        "/operator/worklist", params={"status": status}, headers=service.admin
    )
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


async def open_blocks(db: Db, person_key: str) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM person_blocks WHERE person_key = $1 AND cleared_at IS NULL",
        person_key,
    )
    return count
