"""The 戸籍 side's notices become registry commands on jumin.commands, each once in effect."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
from jumin_contracts.codes import Sex
from jumin_contracts.commands import (
    CollationItem,
    HonsekiTransferNotice,
    KosekiCollationNotice,
    KosekiEvent,
    KosekiRecordNotice,
    parse_command,
)
from jumin_testing.adapter_harness import running_app
from jumin_testing.broker import Sandbox
from jumin_testing.waiting import eventually
from koseki_adapter.config import Settings
from koseki_adapter.domain.notifications import command_id

from ..simulated import Simulated
from .conftest import RegistrySide, Running, StartAdapter, adapter_app
from .koseki_world import FATHER, HITTOSHA, HONSEKI, MOTHER, NEW_HITTOSHA, NEW_HONSEKI, marry
from .koseki_world import seed_koseki as seed

Db = asyncpg.Connection


async def cursor_at(db: Db, cursor: int) -> None:
    await eventually(
        lambda: db.fetchval("SELECT cursor FROM koseki_adapter.notification_cursor"),
        until=lambda c: c == cursor,
        what=f"cursor at {cursor}",
    )


async def test_a_marriage_becomes_a_pending_record_notice_command(
    adapter: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await seed(system.sim)
    queued = await marry(system.sim)

    [message] = await eventually(registry.commands, until=bool, what="a command")
    await cursor_at(db, queued["cursor"])

    assert message.routing_key == "registry.koseki_record_notice"
    command = parse_command(message.routing_key, message.body)
    assert isinstance(command, KosekiRecordNotice)
    assert command.command_id == command_id(UUID(queued["notification_id"]))
    assert message.message_id == str(command.command_id)
    assert str(command.notification_id) == queued["notification_id"]
    assert (command.event, command.event_date) == (KosekiEvent.MARRIAGE, date(2026, 12, 1))
    assert (command.juminhyo_code, command.sex, command.birth_date) == (
        MOTHER,
        Sex.FEMALE,
        "1982-02-02",
    )
    assert (command.family_name, command.given_name) == ("山田", "花子")
    assert (command.honseki, command.hittosha) == (NEW_HONSEKI, NEW_HITTOSHA)
    assert (command.previous_family_name, command.previous_honseki) == ("新宿", HONSEKI)
    listed = await adapter.api.get("/operator/notifications", headers=adapter.token("auditor"))
    assert listed.status_code == 200, listed.text
    assert [(n["cursor"], n["outcome"], n["routing_key"]) for n in listed.json()] == [
        (queued["cursor"], "published", "registry.koseki_record_notice")
    ]
    assert listed.json()[0]["command_id"] == str(command.command_id)
    assert "山田" not in listed.text


async def test_after_a_crash_before_the_cursor_moved_the_same_command_is_published_again(
    settings: Settings,
    sandbox: Sandbox,
    start_adapter: StartAdapter,
    registry: RegistrySide,
    system: Simulated,
    db: Db,
) -> None:
    await seed(system.sim)
    queued = await marry(system.sim)
    async with running_app(adapter_app(settings, sandbox, system), "http://koseki-adapter"):
        [before] = await eventually(registry.commands, until=bool, what="the command")
        await cursor_at(db, queued["cursor"])
    # What a crash between the publish and its record's commit leaves: the command is out, the
    # notice is neither recorded nor behind the cursor.
    await db.execute(
        "DELETE FROM koseki_adapter.notifications;"
        "UPDATE koseki_adapter.notification_cursor SET cursor = 0"
    )

    await start_adapter()

    [again] = await eventually(registry.commands, until=bool, what="the command again")
    await cursor_at(db, queued["cursor"])
    first_command = parse_command(before.routing_key, before.body)
    second_command = parse_command(again.routing_key, again.body)
    assert second_command.command_id == first_command.command_id
    assert again.message_id == before.message_id
    assert second_command.model_dump(exclude={"sent_at"}) == first_command.model_dump(
        exclude={"sent_at"}
    )
    assert await db.fetchval("SELECT count(*) FROM koseki_adapter.notifications") == 1


async def test_the_19th_article_notices_become_their_commands(
    adapter: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await seed(system.sim)
    collation = await system.sim.post(
        "/sim/collation-notices",
        json={
            "honseki": HONSEKI,
            "hittosha": HITTOSHA,
            "juminhyo_code": FATHER,
            "differing_items": ["birth_date"],
            "family_name": "新宿",
            "given_name": "太郎",
            "birth_date": "19800102",
            "sex": "1",
        },
    )
    transfer = await system.sim.post(
        "/sim/honseki-transfer-notices",
        json={
            "juminhyo_code": FATHER,
            "previous_honseki": HONSEKI,
            "previous_hittosha": HITTOSHA,
            "honseki": "北海道札幌市中央区北一条西二丁目1番",
            "hittosha": HITTOSHA,
            "honseki_municipality_code": "011002",
            "event_date": "20261202",
        },
    )
    assert (collation.status_code, transfer.status_code) == (201, 201), transfer.text

    messages: list[Any] = []

    async def taken() -> int:
        messages.extend(await registry.commands())  # each read takes what arrived since
        return len(messages)

    await eventually(taken, until=lambda n: n == 2, what="2 commands")

    commands = [parse_command(m.routing_key, m.body) for m in messages]
    assert [m.routing_key for m in messages] == [
        "registry.koseki_collation_notice",
        "registry.honseki_transfer_notice",
    ]
    checked, moved = commands
    assert isinstance(checked, KosekiCollationNotice)
    assert checked.differing_items == [CollationItem.BIRTH_DATE]
    assert checked.koseki_items is not None
    assert checked.koseki_items.birth_date == "1980-01-02"
    assert isinstance(moved, HonsekiTransferNotice)
    assert (moved.honseki_municipality_code, moved.event_date) == ("011002", date(2026, 12, 2))


async def test_readiness_says_whether_the_fuhyo_system_is_reachable(
    adapter: Running, system: Simulated
) -> None:
    async def fuhyo() -> str:
        answer = await adapter.api.get("/readyz")
        assert answer.status_code == 200, answer.text  # the 附票 system away is not fatal
        return str(answer.json()["fuhyo"])

    await eventually(fuhyo, until=lambda s: s == "reachable", what="reachable")
    assert (await system.sim.put("/sim/faults", json={"down": True})).status_code == 200
    await eventually(fuhyo, until=lambda s: s == "unreachable", what="unreachable")
    await system.sim.delete("/sim/faults")
    await eventually(fuhyo, until=lambda s: s == "reachable", what="reachable again")
