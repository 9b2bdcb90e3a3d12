"""CS answers taken in: 転入通知 → MoveInNoticeReceived; a bad answer is recorded, not stuck on."""

from __future__ import annotations

import json

from jumin_testing.waiting import eventually

from ..fake_cs import FakeCs, juminhyo_code
from .conftest import RegistrySide, Running
from .test_delivery import Db


async def test_a_move_in_notice_becomes_a_command_and_the_cursor_moves_on(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    fake_cs.queue_move_in(juminhyo_code(9), "2026110x", "北海道札幌市中央区北一条西二丁目1番地")
    fake_cs.queue_move_in(juminhyo_code(9), "20261101", "北海道札幌市中央区北一条西二丁目1番地")

    commands = await eventually(registry.commands, until=bool, what="a command")
    await eventually(
        lambda: db.fetchval("SELECT cursor FROM cs_adapter.notification_cursor"),
        until=lambda c: c == 2,
        what="cursor at 2",
    )

    [command] = commands
    body = json.loads(command.body)
    assert command.routing_key == "registry.move_in_notice"
    assert body["command_id"] == fake_cs.notifications[1]["notification_id"]
    assert body["confirmed_on"] == "2026-11-01"
    assert body["juminhyo_code"] == juminhyo_code(9)
    listed = await adapter.api.get("/operator/notifications", headers=adapter.token("auditor"))
    outcomes = [(n["cursor"], n["outcome"]) for n in listed.json()]
    assert outcomes == [(2, "published"), (1, "invalid")]
    assert "2026110x" not in listed.text
