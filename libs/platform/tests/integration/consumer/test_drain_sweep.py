"""The kit's periodic sweep applies parked messages a failed drain left behind.

A drain that fails unexpectedly (an outage, a bug: a plain exception, not Transient/Permanent)
rolls back: the parked message stays and its person is not blocked, so no later message of the
person drains it (they all park behind it as gaps). Proven here: with nothing else published, the
sweep applies it — once, after its predecessor — and the person is neither parked nor blocked.
"""

from __future__ import annotations

from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
import httpx
import pytest
from jumin_contracts.messages import MESSAGE_MODELS
from jumin_platform.consumer import ConsumerKit
from jumin_platform.topology import Topology
from jumin_testing.waiting import eventually

from .conftest import (
    DATABASE_URL,
    RECIPIENT,
    SCHEMA,
    FakeAdapter,
    Registry,
    Sandbox,
    envelope,
    person,
)

Db: TypeAlias = "asyncpg.Connection[Any]"

SWEEP_SECONDS = 0.3


@pytest.fixture
def kit_options() -> dict[str, Any]:
    """The conftest's kit, sweeping for ready parked messages every 0.3 s."""
    return {"sweep_interval": SWEEP_SECONDS}


async def deliveries(db: Db, person_key: str) -> list[int]:
    """The seqs the adapter committed for a person, in commit order."""
    rows = await db.fetch(
        f"SELECT seq FROM {SCHEMA}.deliveries WHERE person_key = $1 ORDER BY at", person_key
    )
    return [row["seq"] for row in rows]


async def test_the_sweep_applies_what_a_failed_drain_left_parked(
    kit: ConsumerKit, registry: Registry, adapter: FakeAdapter, db: Db
) -> None:
    alice = person()
    first, second = envelope(alice, 1), envelope(alice, 2)
    # Raised while seq 2 is applied from `parked` (the drain right after seq 1): not a kit error.
    adapter.fail(second, RuntimeError("connection to 戸籍附票システム dropped"))
    await registry.publish(second)
    await eventually(
        lambda: db.fetchval(
            f"SELECT reason FROM {SCHEMA}.parked WHERE event_id = $1", second.event_id
        ),
        until=lambda reason: reason == "gap",
        what="seq 2 parked for the gap",
    )
    await registry.publish(first)

    applied = await eventually(
        lambda: deliveries(db, alice), until=lambda s: len(s) >= 2, what="seq 2 swept"
    )
    assert applied == [1, 2]
    assert adapter.calls == [(alice, 1), (alice, 2), (alice, 2)]  # the failed drain, the sweep
    inbox = await db.fetchval(
        f"SELECT count(*) FROM {SCHEMA}.inbox WHERE event_id = $1", second.event_id
    )
    assert inbox == 1
    assert (
        await db.fetchval(f"SELECT count(*) FROM {SCHEMA}.parked WHERE person_key = $1", alice) == 0
    )
    progress = await db.fetchrow(
        f"SELECT last_seq, blocked_event_id FROM {SCHEMA}.person_progress WHERE person_key = $1",
        alice,
    )
    assert dict(progress or {}) == {"last_seq": 2, "blocked_event_id": None}


async def test_a_parked_message_failing_for_ever_is_dead_lettered_at_the_delivery_limit(
    kit: ConsumerKit,
    registry: Registry,
    adapter: FakeAdapter,
    db: Db,
    sandbox: Sandbox,
    operator_api: httpx.AsyncClient,
) -> None:
    alice = person()
    first, second, third = envelope(alice, 1), envelope(alice, 2), envelope(alice, 3)
    limit = sandbox.topology.delivery_limit
    adapter.fail(second, *[RuntimeError("adapter bug")] * (limit + 5))
    await registry.publish(second)
    await registry.publish(third)
    await eventually(
        lambda: db.fetchval(f"SELECT count(*) FROM {SCHEMA}.parked WHERE person_key = $1", alice),
        until=lambda parked: parked == 2,
        what="seq 2 and 3 parked for the gap",
    )
    await registry.publish(first)

    # While it keeps failing, the operator sees how often (保留中, 適用失敗回数).
    failing = await eventually(
        lambda: parked_failures(operator_api, second.event_id),
        until=lambda failures: failures is not None and failures >= 2,
        what="seq 2's failures counted in /operator/parked",
    )
    assert failing is not None
    assert failing < limit
    progress = await eventually(
        lambda: db.fetchrow(
            f"SELECT last_seq, blocked_event_id, blocked_reason FROM {SCHEMA}.person_progress"
            " WHERE person_key = $1",
            alice,
        ),
        until=lambda row: row is not None and row["blocked_event_id"] is not None,
        what=f"seq 2 dead-lettered after {limit} failures, alice blocked",
    )
    assert progress is not None
    assert (progress["last_seq"], progress["blocked_event_id"]) == (1, second.event_id)
    assert (
        f"failed {limit} times while applied from parking: RuntimeError"
        in (progress["blocked_reason"])
    )
    assert adapter.calls.count((alice, 2)) == limit  # the drain after seq 1, then the sweeps
    assert await deliveries(db, alice) == [1]
    parked = await db.fetch(f"SELECT event_id FROM {SCHEMA}.parked WHERE person_key = $1", alice)
    assert [row["event_id"] for row in parked] == [third.event_id]  # waits for the operator
    dead = await dead_letters(sandbox)
    assert dead == [second.event_id]


async def parked_failures(api: httpx.AsyncClient, event_id: UUID) -> int | None:
    response = await api.get("/operator/parked")
    assert response.status_code == 200, response.text
    found = [m["failures"] for m in response.json() if m["event_id"] == str(event_id)]
    return found[0] if found else None


async def dead_letters(sandbox: Sandbox) -> list[UUID]:
    """The event ids in koseki.dead (read without settling them back)."""
    connection = await sandbox.connect(sandbox.topology.admin_user)
    channel = await connection.channel()
    queue = await channel.get_queue(f"{RECIPIENT}.dead", ensure=False)
    found: list[UUID] = []
    while (message := await queue.get(fail=False, no_ack=True)) is not None:
        found.append(UUID(message.message_id))
    return found


@pytest.mark.parametrize("interval", [0.0, -1.0, float("nan")])
def test_the_sweep_interval_must_be_positive(topology: Topology, interval: float) -> None:
    with pytest.raises(ValueError, match="sweep_interval must be > 0"):
        ConsumerKit(
            recipient=RECIPIENT,
            schema=SCHEMA,
            amqp_url="amqp://unused",
            database_url=DATABASE_URL,
            handler=FakeAdapter(),
            models=MESSAGE_MODELS,
            topology=topology,
            sweep_interval=interval,
        )
