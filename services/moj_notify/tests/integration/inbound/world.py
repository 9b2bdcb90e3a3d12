"""What the inbound tests do to the world: a notice sent and answered, waits on the service."""

from __future__ import annotations

from typing import Any

from jumin_contracts.codes import ChangeKind
from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import NoticeClass
from jumin_testing.adapter_harness import RegistrySide, Running
from jumin_testing.waiting import eventually

from ...builders import CARD_NO, event, municipal_notice, person
from ...simulated import Simulated
from ..conftest import Db

__all__ = ["CARD_NO", "correction_event", "entries", "open_blocks", "send_one"]


def correction_event(person_key: str, seq: int, **changes: Any) -> Envelope:
    """A 職権修正 of a 中長期在留者 (class 住基法: no 届出年月日 needed)."""
    correction = {
        "change_kind": ChangeKind.EX_OFFICIO_AMENDMENT,
        "previous_address": None,
        "notice_class": NoticeClass.JUKI,
    }
    return event(municipal_notice(**(correction | changes)), person_key, seq, notified_on=None)


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
