"""長官通知 taken in: published as `registry.moj_notice` in the notice's trace; a 特別永住者's kept
for staff, listed until imported by hand; a restart imports nothing twice."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jumin_contracts.commands import MojDirectorNotice, MojNoticeKind, parse_command
from jumin_testing.adapter_harness import RegistrySide, Running, running_app
from jumin_testing.broker import Sandbox
from jumin_testing.waiting import eventually
from moj_notify.config import Settings

from ...simulated import Simulated
from ..conftest import Clock, Db, StartService, service_app
from .world import CARD_NO

pytestmark = pytest.mark.integration

NEW_CARD_NO = "EF87654321GH"


async def card_reissued(system: Simulated) -> None:
    await system.director_notice(
        kind="card_issued",
        residence_card_no=CARD_NO,
        foreign_category="mid_long_term",
        effective_date="20261201",
        corrections={"residence_card_no": NEW_CARD_NO, "nationality": "VNM"},
        notice_text="在留カード再交付",
    )


async def feed(system: Simulated) -> list[dict[str, Any]]:
    answer = await system.sim.get("/moj/v1/notifications", params={"after": 0, "limit": 500})
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def listed(
    service: Running, path: str = "/operator/director-notices"
) -> list[dict[str, Any]]:
    answer = await service.api.get(path, headers=service.token("auditor"))
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


async def test_a_director_notice_becomes_the_registry_command_in_its_trace(
    service: Running, registry: RegistrySide, system: Simulated, trace_file: Path
) -> None:
    await card_reissued(system)

    [message] = await eventually(registry.commands, until=bool, what="the command")

    command = parse_command(message.routing_key or "", message.body)
    assert isinstance(command, MojDirectorNotice)
    assert message.routing_key == "registry.moj_notice"
    assert command.notice_kind is MojNoticeKind.CARD_ISSUED
    assert command.residence_card_no == CARD_NO
    assert command.effective_on == date(2026, 12, 1)
    assert command.corrections.model_dump(exclude_unset=True) == {
        "residence_card_no": NEW_CARD_NO,
        "nationality": "ベトナム",
    }
    [item] = await feed(system)
    headers = message.headers or {}
    assert str(headers["traceparent"]).split("-")[1] == item["traceparent"].split("-")[1]
    [record] = await eventually(lambda: listed(service), until=bool, what="the record")
    assert (record["status"], record["command_id"]) == ("published", str(command.command_id))
    assert CARD_NO not in str(record)
    assert await listed(service, "/operator/director-notices/not-imported") == []
    spans = await asyncio.to_thread(trace_file.read_text, encoding="utf-8")
    assert CARD_NO not in spans
    assert NEW_CARD_NO not in spans


async def test_a_special_permanent_residents_notice_waits_for_staff_until_imported_by_hand(
    service: Running, registry: RegistrySide, system: Simulated
) -> None:
    await system.director_notice(
        kind="item_correction",
        special_permanent_cert_no="SP12345678AB",
        foreign_category="special_permanent",
        effective_date="20261120",
        corrections={"family_name": "金山"},
        notice_text="氏名の変更",
    )

    [waiting] = await eventually(
        lambda: listed(service, "/operator/director-notices/not-imported"),
        until=bool,
        what="the notice waiting for staff",
    )
    assert (waiting["status"], waiting["special_permanent"]) == ("by_hand", True)
    assert await registry.commands() == []
    one = await service.api.get(
        f"/operator/director-notices/{waiting['notification_id']}", headers=service.admin
    )
    assert one.json()["body"]["corrections"] == {"family_name": "金山"}
    auditor_view = await service.api.get(
        f"/operator/director-notices/{waiting['notification_id']}",
        headers=service.token("auditor"),
    )
    assert auditor_view.status_code == 403

    url = f"/operator/director-notices/{waiting['notification_id']}/imported"
    no_reason = await service.api.post(url, json={}, headers=service.admin)
    imported = await service.api.post(url, json={"reason": "手動で取込"}, headers=service.admin)
    twice = await service.api.post(url, json={"reason": "again"}, headers=service.admin)

    assert no_reason.status_code == 422
    assert imported.status_code == 200, imported.text
    assert (imported.json()["status"], imported.json()["imported_by"]) == (
        "imported_by_hand",
        "ops-tanaka",
    )
    assert twice.status_code == 409
    assert twice.headers["content-type"].startswith("application/problem+json")
    assert await listed(service, "/operator/director-notices/not-imported") == []


async def test_after_a_restart_nothing_is_imported_twice(
    settings: Settings,
    sandbox: Sandbox,
    keys: Path,
    clock: Clock,
    start_service: StartService,
    registry: RegistrySide,
    system: Simulated,
    db: Db,
) -> None:
    await card_reissued(system)
    async with running_app(
        service_app(settings, sandbox, system, clock), "http://moj-notify"
    ) as api:
        first = Running(api, settings, keys)
        await eventually(lambda: listed(first), until=bool, what="the first notice")
    await card_reissued(system)

    again = await start_service()

    await eventually(lambda: listed(again), until=lambda rows: len(rows) == 2, what="the second")
    published = await eventually(
        registry.commands, until=lambda found: len(found) == 2, what="two commands"
    )
    assert len({message.message_id for message in published}) == 2
    assert await db.fetchval("SELECT count(*) FROM director_notices") == 2
