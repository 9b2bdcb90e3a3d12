"""Commands back to the registry (jumin.commands → registry.in) on real PostgreSQL and RabbitMQ.

What is proven:

- each command applies once however often it is delivered (inbox in the effect's transaction);
- 個人番号 assigned → a 個人番号の職権記載 by system:cs approved by system:registry: the record shows
  a number, CS gets a cs.identity message with it, the access log names the system;
- free 住民票コード → pooled (not the ones in use); a later 出生 draws one at random and it leaves
  the pool; with the pool empty the birth stays pending (409) until codes arrive, and no
  cs.identity is ever written for a person without a code;
- 転入通知 → the removed record keeps the 予定 転出 date and address beside the 確定 ones;
- 長官通知 → a pending change (system:moj) listed for reviewers, invisible until one approves it;
- unknown people are recorded `unmatched` and refusals `refused`, without raising or retrying;
- end to end: a command published by jumin_cs_adapter is applied by the consumer (as
  jumin_registry); a malformed one is dead-lettered to registry.dead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from jumin_contracts.commands import (
    FreeCodesReceived,
    MojDirectorNotice,
    MoveInNoticeReceived,
    MyNumberAssigned,
    RegistryCommand,
)
from jumin_contracts.envelope import Envelope
from registry.adapters.outbox import Outbox
from registry.bootstrap import Registry
from registry.config import Settings
from registry.entrypoints.commands_consumer import CommandConsumer
from registry.service_layer.command_handlers import CommandResult, Outcome

from .command_bus import CS_USER, dead_lettered, publish_as
from .helpers import (
    REVIEWER,
    TokenFactory,
    apply,
    approve,
    auth,
    enter_and_approve,
    foreign_person,
    juminhyo_code,
    move_in,
    my_number,
    person,
    record,
    submit,
    view,
)

CODE = juminhyo_code("1357924680")
NUMBER = my_number("24681357913")
CARD = "AB12345678CD"
NAKANO = "東京都中野区中野四丁目8番1号"
PLANNED_DESTINATION = "東京都中野区中野一丁目1番1号"


def sent() -> datetime:
    return datetime.now().astimezone()


async def apply_twice(registry: Registry, command: RegistryCommand) -> CommandResult:
    """Deliver a command twice; the second delivery must change nothing."""
    first = await apply(registry, command)
    assert (await apply(registry, command)).outcome is Outcome.DUPLICATE
    return first


async def inbox(owner: Any, command_id: UUID) -> Any:
    return await owner.fetchrow(
        "SELECT * FROM registry.command_inbox WHERE command_id = $1", command_id
    )


async def history(client: httpx.AsyncClient, token: TokenFactory, atena_no: str) -> list[Any]:
    response = await view(client, token, f"/residents/{atena_no}/history")
    assert response.status_code == 200, response.text
    rows: list[Any] = response.json()
    return rows


async def register(client: httpx.AsyncClient, token: TokenFactory, *people: Any) -> list[str]:
    change = await enter_and_approve(client, token, move_in(*people))
    return list(change["subjects"])


# ---- 個人番号 ------------------------------------------------------------------------------------
async def test_an_assigned_my_number_is_recorded_once_and_cs_is_told(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry, owner_connection: Any
) -> None:
    (taro,) = await register(client, token, person(juminhyo_code=CODE))
    command = MyNumberAssigned(
        command_id=uuid4(), sent_at=sent(), juminhyo_code=CODE, my_number=NUMBER
    )

    result = await apply_twice(registry, command)

    assert result.outcome is Outcome.APPLIED
    (change_id,) = result.change_ids
    shown = await record(client, token, taro)
    assert shown["record"]["my_number_recorded"] is True
    assert shown["change_kind"] == "my_number_entry"
    assert shown["ex_officio"] is True
    assert len(await history(client, token, taro)) == 2  # 転入 + 職権記載, once
    change = await client.get(f"/changes/{change_id}", headers=auth(token, REVIEWER, "reviewer"))
    assert change.status_code == 200, change.text
    assert change.json()["status"] == "approved"
    assert (change.json()["created_by"], change.json()["decided_by"]) == (
        "system:cs",
        "system:registry",
    )
    assert NUMBER not in change.text
    stored = await owner_connection.fetchval(
        "SELECT request->>'my_number' FROM registry.changes WHERE change_id = $1", change_id
    )
    assert stored.startswith("mn1:")  # sealed at rest, like every 個人番号
    assert (await inbox(owner_connection, command.command_id))["outcome"] == "applied"
    await _assert_cs_told(registry, change_id, taro)
    logged = await owner_connection.fetchrow(
        "SELECT * FROM registry.access_log WHERE function = 'command:my_number_assigned'"
        " ORDER BY seq DESC LIMIT 1"
    )
    assert (logged["operator"], logged["my_number_accessed"]) == ("system:cs", True)
    assert list(logged["subjects"]) == [taro]


async def _assert_cs_told(registry: Registry, change_id: UUID, atena_no: str) -> None:
    async with registry.pool.acquire() as connection:
        rows = await Outbox(connection, registry.vault).unpublished(1000)
    identity = [r for r in rows if r.routing_key == "cs.identity"]
    mine = [r for r in identity if Envelope.model_validate_json(r.body).change_id == change_id]
    assert len(mine) == 1, "one cs.identity message for the 個人番号"
    envelope = Envelope.model_validate_json(mine[0].body)
    assert envelope.person_key == registry.publication.person_key(atena_no)
    assert envelope.payload["my_number"] == NUMBER
    assert envelope.kind == "my_number_entry"


async def test_the_same_number_sent_again_is_unchanged(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry
) -> None:
    (taro,) = await register(client, token, person(juminhyo_code=CODE))
    for _ in range(2):  # two different commands (a resend with a new id), one number
        result = await apply(
            registry,
            MyNumberAssigned(
                command_id=uuid4(), sent_at=sent(), juminhyo_code=CODE, my_number=NUMBER
            ),
        )
    assert result.outcome is Outcome.UNCHANGED
    assert len(await history(client, token, taro)) == 2


# ---- 住民票コード ---------------------------------------------------------------------------------
def birth(household_no: str, born: date) -> dict[str, Any]:
    newborn = person("山田", "花", "ヤマダ", "ハナ", relationship="子", sex="female")
    return {
        "kind": "birth",
        "occurred_on": born.isoformat(),
        "notified_on": date.today().isoformat(),
        "persons": [{**newborn, "birth_date": born.isoformat()}],
        "join_household_no": household_no,
    }


async def free_codes(owner: Any) -> set[str]:
    rows = await owner.fetch(
        "SELECT code FROM registry.juminhyo_code_pool WHERE assigned_to_atena_no IS NULL"
    )
    return {r["code"] for r in rows}


async def test_free_codes_go_to_a_later_birth_and_leave_the_pool(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry, owner_connection: Any
) -> None:
    (taro,) = await register(client, token, person(juminhyo_code=CODE))
    pooled = [juminhyo_code(f"90000000{i:02d}") for i in range(3)]
    command = FreeCodesReceived(command_id=uuid4(), sent_at=sent(), codes=[*pooled, CODE])

    result = await apply_twice(registry, command)

    assert result.outcome is Outcome.APPLIED
    assert await free_codes(owner_connection) == set(pooled)  # CODE is taro's: never pooled
    household_no = (await record(client, token, taro))["record"]["household_no"]
    change = await enter_and_approve(client, token, birth(household_no, date.today()))
    (child,) = (a for a in change["subjects"] if a != taro)
    code = (await record(client, token, child))["record"]["juminhyo_code"]
    assert code in pooled
    assert await free_codes(owner_connection) == set(pooled) - {code}
    assigned = await owner_connection.fetchval(
        "SELECT assigned_to_atena_no FROM registry.juminhyo_code_pool WHERE code = $1", code
    )
    assert assigned == child


async def test_codes_are_drawn_at_random(registry: Registry) -> None:
    codes = [juminhyo_code(f"80000000{i:02d}") for i in range(50)]
    async with registry.uow() as uow:
        await uow.code_pool.add(codes, received_at=registry.clock())
        await uow.commit()
    drawn = set()
    for _ in range(30):
        async with registry.uow() as uow:  # never committed: each draw sees the full pool
            drawn.add(await uow.code_pool.take(atena_no="0000000019", at=registry.clock()))
    assert drawn <= set(codes)
    assert len(drawn) >= 5, "30 draws from 50 codes should not keep hitting the same few"


async def test_a_birth_with_the_pool_empty_stays_pending_until_codes_arrive(
    client: httpx.AsyncClient,
    token: TokenFactory,
    registry: Registry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (taro,) = await register(client, token, person(juminhyo_code=CODE))
    household_no = (await record(client, token, taro))["record"]["household_no"]
    change = await submit(client, token, birth(household_no, date.today()))

    with caplog.at_level(logging.WARNING, logger="registry.code_pool"):
        refused = await client.post(
            f"/changes/{change['change_id']}/approve", headers=auth(token, REVIEWER, "reviewer")
        )

    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "住民票コードの在庫がありません" in refused.json()["detail"]
    assert any("no free 住民票コード" in r.getMessage() for r in caplog.records)
    assert all(CODE not in r.getMessage() for r in caplog.records)
    pending = await client.get(
        f"/changes/{change['change_id']}", headers=auth(token, REVIEWER, "reviewer")
    )
    assert pending.json()["status"] == "pending"  # nothing recorded, nothing sent
    assert await cs_identities(registry, change["change_id"]) == []

    fresh = juminhyo_code("9100000000")
    await apply(registry, FreeCodesReceived(command_id=uuid4(), sent_at=sent(), codes=[fresh]))
    approved = await approve(client, token, change["change_id"])

    (child,) = (a for a in approved["subjects"] if a != taro)
    assert (await record(client, token, child))["record"]["juminhyo_code"] == fresh
    assert [p["juminhyo_code"] for p in await cs_identities(registry, change["change_id"])] == [
        fresh
    ]


async def test_no_cs_identity_is_written_for_a_person_without_a_code(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry
) -> None:
    entered = await enter_and_approve(
        client,
        token,
        move_in(
            person(),
            person(
                juminhyo_code=CODE,
                relationship="妻",
                given_name="花子",
                given_name_kana="ハナコ",
                sex="female",
            ),
        ),
    )

    sent_codes = [p["juminhyo_code"] for p in await cs_identities(registry, entered["change_id"])]

    assert sent_codes == [CODE]  # the member without a 住民票コード is not told to CS


async def cs_identities(registry: Registry, change_id: str | UUID) -> list[dict[str, Any]]:
    """The payloads of the unpublished cs.identity messages of one change."""
    async with registry.pool.acquire() as connection:
        rows = await Outbox(connection, registry.vault).unpublished(1000)
    envelopes = [
        Envelope.model_validate_json(r.body) for r in rows if r.routing_key == "cs.identity"
    ]
    return [dict(e.payload) for e in envelopes if str(e.change_id) == str(change_id)]


# ---- 転入通知 -------------------------------------------------------------------------------------
async def test_a_move_in_notice_keeps_the_planned_and_the_confirmed_move_out(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry, owner_connection: Any
) -> None:
    (taro,) = await register(client, token, person(juminhyo_code=CODE))
    moved_on = date.today() - timedelta(days=5)
    await enter_and_approve(
        client,
        token,
        {
            "kind": "domestic_move_out",
            "occurred_on": moved_on.isoformat(),
            "notified_on": (moved_on - timedelta(days=1)).isoformat(),
            "atena_nos": [taro],
            "destination": PLANNED_DESTINATION,
        },
    )
    confirmed_on = moved_on + timedelta(days=1)
    command = MoveInNoticeReceived(
        command_id=uuid4(),
        sent_at=sent(),
        juminhyo_code=CODE,
        confirmed_on=confirmed_on,
        confirmed_address=NAKANO,
    )

    result = await apply_twice(registry, command)

    assert result.outcome is Outcome.APPLIED
    shown = await record(client, token, taro)
    items = shown["record"]
    assert items["status"] == "removed"
    assert (items["planned_move_out_on"], items["move_out_destination"]) == (
        moved_on.isoformat(),
        PLANNED_DESTINATION,
    )
    assert (items["confirmed_move_out_on"], items["confirmed_destination"]) == (
        confirmed_on.isoformat(),
        NAKANO,
    )
    assert shown["change_kind"] == "move_in_notice"
    rows = await history(client, token, taro)
    assert len(rows) == 3
    assert rows[-1]["occurred_on"] == rows[-2]["occurred_on"]  # still the 転出's 異動日
    resend = command.model_copy(update={"command_id": uuid4()})
    assert (await apply(registry, resend)).outcome is Outcome.UNCHANGED
    assert len(await history(client, token, taro)) == 3


# ---- 長官通知 -------------------------------------------------------------------------------------
async def test_a_moj_notice_waits_for_a_reviewer(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry, owner_connection: Any
) -> None:
    (john,) = await register(client, token, foreign_person())
    expires = date.today() + timedelta(days=3 * 365)
    command = MojDirectorNotice(
        command_id=uuid4(),
        sent_at=sent(),
        residence_card_no=CARD,
        notice_kind="period_extension",
        effective_on=date.today(),
        corrections={"period_of_stay": "3年", "stay_expires_on": expires},
        notice_text="在留期間更新許可",
    )

    result = await apply_twice(registry, command)

    assert result.outcome is Outcome.PENDING_REVIEW
    (change_id,) = result.change_ids
    reviewer = auth(token, REVIEWER, "reviewer")
    listed = await client.get("/changes", params={"status": "pending"}, headers=reviewer)
    assert listed.status_code == 200, listed.text
    (pending,) = [c for c in listed.json()["items"] if c["change_id"] == str(change_id)]
    assert pending["created_by"] == "system:moj"
    assert pending["request"]["kind"] == "residence_status_30_47"
    assert pending["request"]["note"] == "在留期間更新許可"
    assert (await record(client, token, john))["record"]["period_of_stay"] == "1年"  # 仮登録

    await approve(client, token, str(change_id))

    items = (await record(client, token, john))["record"]
    assert (items["period_of_stay"], items["stay_expires_on"]) == ("3年", expires.isoformat())
    assert (await inbox(owner_connection, command.command_id))["outcome"] == "pending_review"


# ---- nobody / refused ---------------------------------------------------------------------------
async def test_a_command_for_nobody_is_recorded_unmatched_and_not_retried(
    registry: Registry, owner_connection: Any
) -> None:
    command = MyNumberAssigned(
        command_id=uuid4(), sent_at=sent(), juminhyo_code=CODE, my_number=NUMBER
    )

    result = await apply_twice(registry, command)

    assert result.outcome is Outcome.UNMATCHED
    row = await inbox(owner_connection, command.command_id)
    assert (row["outcome"], row["routing_key"]) == ("unmatched", "registry.my_number_assigned")
    assert CODE not in (row["detail"] or "")
    assert await owner_connection.fetchval("SELECT count(*) FROM registry.changes") == 0


async def test_a_refused_command_leaves_no_trace_but_its_outcome(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry, owner_connection: Any
) -> None:
    await register(client, token, person(juminhyo_code=CODE))  # still resident: nothing to confirm
    before = await owner_connection.fetchval("SELECT count(*) FROM registry.changes")
    command = MoveInNoticeReceived(
        command_id=uuid4(),
        sent_at=sent(),
        juminhyo_code=CODE,
        confirmed_on=date.today(),
        confirmed_address=NAKANO,
    )

    result = await apply_twice(registry, command)

    assert result.outcome is Outcome.REFUSED
    assert "転出又は職権消除" in (result.detail or "")
    assert (await inbox(owner_connection, command.command_id))["outcome"] == "refused"
    assert await owner_connection.fetchval("SELECT count(*) FROM registry.changes") == before


# ---- end to end through the broker --------------------------------------------------------------
async def test_a_command_published_by_an_adapter_is_applied_by_the_consumer(
    client: httpx.AsyncClient,
    token: TokenFactory,
    settings: Settings,
    owner_connection: Any,
    consumer: CommandConsumer,
) -> None:
    (taro,) = await register(client, token, person(juminhyo_code=CODE))
    garbage_id = str(uuid4())
    await publish_as(
        settings, CS_USER, MyNumberAssigned.ROUTING_KEY, b'{"my_number": 1}', garbage_id
    )
    command = MyNumberAssigned(
        command_id=uuid4(), sent_at=sent(), juminhyo_code=CODE, my_number=NUMBER
    )
    # one consumer, one message at a time: once the marker is applied, all before it were handled
    marker = FreeCodesReceived(command_id=uuid4(), sent_at=sent(), codes=[juminhyo_code("7" * 10)])
    for sent_command in (command, command, marker):  # the 個人番号 delivered twice
        body = sent_command.model_dump_json().encode()
        await publish_as(
            settings, CS_USER, sent_command.ROUTING_KEY, body, str(sent_command.command_id)
        )

    deadline = time.monotonic() + 20
    while await inbox(owner_connection, marker.command_id) is None:
        assert time.monotonic() < deadline, "the consumer did not apply the commands"
        await asyncio.sleep(0.2)

    assert (await inbox(owner_connection, command.command_id))["outcome"] == "applied"
    assert (await record(client, token, taro))["record"]["my_number_recorded"] is True
    assert len(await history(client, token, taro)) == 2  # applied once
    assert await dead_lettered(settings, garbage_id)
