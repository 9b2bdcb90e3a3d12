"""The consumer path on the real broker and database: deliver, record, retry, block.

Proven, consuming `cs.events` as `jumin_cs_adapter` against the fake CS:

- an identity goes to CS in CS form with the event id as key, and its transmission is recorded
  (fields, receipt, trace id; 個人番号 sealed, never plain at rest), with the registry's view;
- a new resident without a 個人番号 is followed by one 生成要求 per 住民票コード, whose answer
  comes back to the registry as MyNumberAssigned under the request's trace;
- CS busy: the failed attempt is recorded and the kit's retry delivers with the same key;
- CS refusing: the attempt is recorded as rejected with the CS code, the person is blocked with
  that code, their later messages are parked while other people's flow.
"""

from __future__ import annotations

import asyncio
import json
from functools import partial
from typing import Any, cast
from uuid import UUID, uuid4

import asyncpg
from cs_adapter.adapters.deliveries_repository import DeliveryRepository
from cs_adapter.domain.deliveries import my_number_request_key
from cs_adapter.service_layer.delivery import CsDelivery
from cs_adapter.service_layer.unit_of_work import UnitOfWork
from jumin_contracts.codes import ChangeKind
from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import CsIdentity
from jumin_platform.db import create_pool
from jumin_platform.my_number_vault import load_vault
from jumin_testing.waiting import eventually

from ..builders import identity, moveout, my_number_change, person, wrap
from ..fake_cs import FakeCs, juminhyo_code
from .conftest import RegistrySide, Running

Db = asyncpg.Connection


async def deliveries(db: Db, person_key: str) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT * FROM cs_adapter.deliveries WHERE person_key = $1 ORDER BY id", person_key
    )
    return [dict(row) for row in rows]


def statuses(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(row["type"], row["status"]) for row in rows]


async def test_an_identity_is_sent_in_cs_form_and_recorded_without_a_plain_number(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    alice = person()
    message = identity(birth_date="1990-05-xx")
    envelope = wrap(message, alice, 1)
    await registry.publish(envelope)

    rows = await eventually(
        lambda: deliveries(db, alice), until=lambda r: len(r) == 1, what="one delivery"
    )
    row = rows[0]
    sent = fake_cs.received[str(envelope.event_id)]
    assert (row["type"], row["status"], row["receipt_no"]) == ("identity", "sent", sent.receipt_no)
    assert row["idempotency_key"] == envelope.event_id
    assert sent.body["my_number"] == message.my_number
    assert sent.body["birth_date"] == "19900500"
    assert sent.body["sex"] == "2"
    assert row["body"]["my_number"] is None
    assert row["my_number_sealed"].startswith("mn1:")
    assert "my_number" in row["fields"]
    assert row["trace_id"]
    assert row["sent_at"] is not None
    assert message.my_number is not None
    stored = json.dumps([row["body"], row["my_number_sealed"]])
    assert message.my_number not in stored
    snapshot = await db.fetchrow(
        "SELECT juminhyo_code, my_number_hash FROM cs_adapter.identity_snapshot "
        "WHERE person_key = $1",
        alice,
    )
    assert snapshot is not None
    assert snapshot["juminhyo_code"] == message.juminhyo_code
    assert snapshot["my_number_hash"]
    assert message.my_number not in snapshot["my_number_hash"]


async def test_a_moveout_certificate_goes_as_its_own_type(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    alice = person()
    await registry.publish(wrap(moveout(), alice, 1))

    rows = await eventually(lambda: deliveries(db, alice), until=bool, what="delivered")
    assert statuses(rows) == [("moveout_certificate", "sent")]
    assert fake_cs.of_type("moveout_certificate")[0].body["planned_on"] == "20260410"


async def test_a_newborn_gets_one_number_request_and_the_answer_goes_to_the_registry(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    baby, code = person(), juminhyo_code(42)
    birth = wrap(
        identity(change_kind=ChangeKind.BIRTH, my_number=None, juminhyo_code=code), baby, 1
    )
    again = wrap(
        identity(change_kind=ChangeKind.BIRTH, my_number=None, juminhyo_code=code), baby, 2
    )
    await registry.publish(birth)
    await registry.publish(again)

    rows = await eventually(
        lambda: deliveries(db, baby), until=lambda r: len(r) == 3, what="2 identities, 1 request"
    )
    assert statuses(rows) == [
        ("identity", "sent"),
        ("my_number_request", "sent"),
        ("identity", "sent"),
    ]
    assert rows[1]["idempotency_key"] == my_number_request_key(birth.event_id)
    assert len(fake_cs.of_type("my_number_request")) == 1

    commands = await eventually(registry.commands, until=bool, what="a command")
    assert [c.routing_key for c in commands] == ["registry.my_number_assigned"]
    answer = fake_cs.notifications[0]
    command = json.loads(commands[0].body)
    assert command["command_id"] == answer["notification_id"]
    assert command["my_number"] == answer["body"]["my_number"]
    assert commands[0].message_id == answer["notification_id"]
    # The registry's side continues the trace of the 生成要求 CS answered.
    request_trace = fake_cs.of_type("my_number_request")[0].traceparent
    assert request_trace is not None
    traceparent = (commands[0].headers or {}).get("traceparent")
    assert isinstance(traceparent, str)
    assert traceparent.split("-")[1] == request_trace.split("-")[1]
    await eventually(
        lambda: db.fetchval(
            "SELECT answered_at FROM cs_adapter.my_number_requests WHERE juminhyo_code = $1", code
        ),
        until=lambda answered: answered is not None,
        what="the request marked answered",
    )


async def test_a_number_change_is_a_second_request_for_the_same_code_and_its_answer_returns(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    baby, code = person(), juminhyo_code(43)
    birth = wrap(
        identity(change_kind=ChangeKind.BIRTH, my_number=None, juminhyo_code=code), baby, 1
    )
    change = wrap(my_number_change(juminhyo_code=code), baby, 2)
    await registry.publish(birth)
    await registry.publish(change)
    await registry.publish(change)  # redelivered: still one 変更要求

    rows = await eventually(
        lambda: deliveries(db, baby), until=lambda r: len(r) == 3, what="the 変更要求 sent"
    )
    assert statuses(rows)[1:] == [("my_number_request", "sent"), ("my_number_request", "sent")]
    requests = fake_cs.of_type("my_number_request")
    assert [r.body for r in requests] == [
        {"juminhyo_code": code, "reason": "new"},
        {"juminhyo_code": code, "reason": "change"},
    ]
    kept = await db.fetch(
        "SELECT reason FROM cs_adapter.my_number_requests WHERE juminhyo_code = $1 ORDER BY id",
        code,
    )
    assert [r["reason"] for r in kept] == ["new", "change"]
    commands: list[Any] = []

    async def taken() -> list[Any]:  # registry.commands() takes what came since the last call
        commands.extend(await registry.commands())
        return commands

    await eventually(taken, until=lambda c: len(c) == 2, what="both answers as commands")
    numbers = [json.loads(c.body)["my_number"] for c in commands]
    assert [c.routing_key for c in commands] == ["registry.my_number_assigned"] * 2
    assert numbers[0] != numbers[1], "the change brings a new number"


async def test_a_busy_cs_is_retried_with_the_same_key(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    alice = person()
    envelope = wrap(identity(), alice, 1)
    fake_cs.busy_messages = 1
    await registry.publish(envelope)

    rows = await eventually(
        lambda: deliveries(db, alice),
        until=lambda r: [x["status"] for x in r] == ["failed", "sent"],
        what="failed, then sent",
    )
    assert rows[0]["reply_status"] == 503
    assert rows[0]["reply_code"] == "E-BUSY"
    assert {row["idempotency_key"] for row in rows} == {envelope.event_id}
    assert len(fake_cs.received) == 1


async def test_a_refusal_blocks_the_person_and_parks_their_later_messages(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    alice, bob = person(), person()
    refused_code = juminhyo_code(777)
    fake_cs.reject_codes.add(refused_code)
    first = wrap(identity(juminhyo_code=refused_code), alice, 1)
    await registry.publish(first)
    await registry.publish(wrap(identity(juminhyo_code=refused_code), alice, 2))
    await registry.publish(wrap(identity(juminhyo_code=juminhyo_code(778)), bob, 1))

    blocked = await eventually(
        lambda: adapter.api.get("/operator/blocked", headers=adapter.admin),
        until=lambda r: any(b["person_key"] == alice for b in r.json()),
        what="alice blocked",
    )
    reason = next(b for b in blocked.json() if b["person_key"] == alice)["reason"]
    assert reason == "identity: CS 422 E-REJECTED"
    await eventually(
        lambda: adapter.api.get("/operator/parked", headers=adapter.admin),
        until=lambda r: [p["seq"] for p in r.json() if p["person_key"] == alice] == [2],
        what="alice's seq 2 parked",
    )
    await eventually(lambda: deliveries(db, bob), until=bool, what="bob delivered")
    rows = await deliveries(db, alice)
    assert statuses(rows) == [("identity", "rejected")]
    assert (rows[0]["reply_status"], rows[0]["reply_code"]) == (422, "E-REJECTED")
    dead = await adapter.api.get("/operator/dead", headers=adapter.admin)
    assert UUID(dead.json()[0]["event_id"]) == first.event_id


async def test_recording_a_failure_beside_the_kits_transaction_cannot_wait_for_it_for_ever(
    adapter: Running, db: Db
) -> None:
    """An earlier message of the same person in the same batch holds the person's snapshot row
    in the kit's open transaction, which waits for this handler: the record written beside it
    must give up on that lock rather than wait (PostgreSQL cannot see this cycle)."""
    settings = adapter.settings
    alice = person()
    envelope = wrap(identity(), alice, 2)
    pool = await create_pool(settings.database_url.get_secret_value(), max_size=2)
    holder = await pool.acquire()
    kit_transaction = holder.transaction()
    await kit_transaction.start()
    try:
        await DeliveryRepository(holder).save_snapshot(
            person_key=alice, seq=1, event_id=uuid4(), body={"juminhyo_code": None}, hash_=None
        )
        delivery = CsDelivery(
            cs=cast(Any, None),
            vault=load_vault(settings.my_number_key_file),
            uow=partial(UnitOfWork, pool),
        )
        await asyncio.wait_for(
            delivery.keep_identity_apart(envelope, envelope_payload(envelope)), timeout=15
        )
    finally:
        await kit_transaction.rollback()
        await pool.release(holder)
        await pool.close()


def envelope_payload(envelope: Envelope) -> CsIdentity:
    return CsIdentity.model_validate(envelope.payload)
