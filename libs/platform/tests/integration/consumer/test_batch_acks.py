"""One multiple-ack per batch on the real broker: nothing acknowledged that was not applied.

The kit acknowledges a committed batch with one ``basic.ack multiple=true`` when every earlier
delivery on the channel is settled. The dangerous moment is a delivery that is *not*: one the
handler failed unexpectedly, waiting a pause before it is returned to the queue, while later
batches commit. Here 300 messages of 30 people flow through a kit at prefetch 32; a tenth fail
once unexpectedly (returned to the queue after the pause) and a tenth fail once transiently
(through the wait queue). Every message must be applied exactly once, in order per person, and
after the kit stops nothing may be left in the queue — neither lost by an ack that swept it up
nor left unacknowledged.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from jumin_platform.consumer import ConsumerKit, TransientError
from jumin_testing.waiting import eventually

from .conftest import (
    RECIPIENT,
    SCHEMA,
    FakeAdapter,
    Registry,
    Sandbox,
    envelope,
    person,
)

PEOPLE, MESSAGES_EACH = 30, 10


@pytest.fixture
def kit_options() -> dict[str, Any]:
    return {
        "prefetch": 32,
        "requeue_delay": 0.3,
        # A message failing while taken from parking has no delivery to return: the sweep
        # takes it again (every 30 s in production; sooner here).
        "sweep_interval": 0.5,
    }


async def _applied(db: Any, people: list[str]) -> dict[str, list[int]]:
    rows = await db.fetch(
        f"SELECT person_key, seq FROM {SCHEMA}.deliveries WHERE person_key = ANY($1::text[])"
        " ORDER BY at",
        people,
    )
    applied: dict[str, list[int]] = {p: [] for p in people}
    for row in rows:
        applied[row["person_key"]].append(row["seq"])
    return applied


async def test_batches_acked_as_one_lose_nothing_and_leave_nothing_behind(
    kit: ConsumerKit, sandbox: Sandbox, registry: Registry, adapter: FakeAdapter, db: Any
) -> None:
    draw = random.Random(20261127)
    people = [person() for _ in range(PEOPLE)]
    messages = [envelope(p, seq) for seq in range(1, MESSAGES_EACH + 1) for p in people]
    for message in messages:
        luck = draw.random()
        if luck < 0.1:
            adapter.fail(message, RuntimeError("adapter bug, once"))  # back to the queue
        elif luck < 0.2:
            adapter.fail(message, TransientError("timeout, once"))  # through the wait queue
    for message in messages:
        await registry.publish(message)

    expected = {p: list(range(1, MESSAGES_EACH + 1)) for p in people}
    applied = await eventually(
        lambda: _applied(db, people),
        until=lambda seen: sum(map(len, seen.values())) >= len(messages),
        what=f"all {len(messages)} applied",
    )
    await kit.stop()

    assert applied == expected  # each once, in order per person
    assert sum(1 for calls in adapter.failures.values() if calls) == 0  # every failure happened
    connection = await sandbox.connect(sandbox.topology.admin_user)
    channel = await connection.channel()
    (name,) = sandbox.topology.recipient(RECIPIENT).consumer_queues
    queue = await channel.declare_queue(name, passive=True)
    assert queue.declaration_result.message_count == 0  # nothing left unacknowledged
