"""Retry exhaustion and the broker's delivery limit, on a real broker and database.

A throwaway vhost (conftest.py's `sandbox`, with this module's `topology`) carries the topology with
short retry delays (1 s, 2 s, so the wait queues `koseki.retry.1s` and `koseki.retry.2s`) and a
delivery limit of 2; the real broker users get exactly the topology's permissions on it. The
registry's user publishes, the kit consumes as `jumin_koseki_adapter`. A spy queue of the admin's,
bound to `jumin.retry` with `koseki.retry.#`, sees every publish the kit makes into a wait queue.

Proven:

- a handler raising TransientError every time is attempted 1 + len(delays) times, through
  `koseki.retry.1s` (attempt 1) then `koseki.retry.2s` (attempt 2), at least the configured delay
  apart; the message then lands in `koseki.dead` (rejected from `koseki.events`, the failure shown
  to operators) and blocks the person: their later messages are parked, other people's are applied
  meanwhile; once the handler works, an operator's resend applies the dead message and the parked
  ones in seq order, once each, and nothing is left in flight;
- an exception the kit does not know (a bug, an outage) is requeued, nothing committed, until the
  quorum queue's delivery limit dead-letters it (`delivery_limit`, at-least-once); a later message
  of that person waits parked for the gap, and a resend applies both in order.

Database: `jumin_test_consumer`, the kit's tables from conftest.py (`kit_schema`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, TypeAlias
from uuid import UUID

import aio_pika
import aio_pika.abc
import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import MESSAGE_MODELS, KosekiFuhyoNotice, RecipientMessage
from jumin_platform.auth import Staff
from jumin_platform.consumer import ConsumerKit, TransientError
from jumin_platform.consumer.messages import ATTEMPT_HEADER
from jumin_platform.consumer.operator_api import operator_router
from jumin_platform.problems import install_problem_handlers
from jumin_platform.topology import EVENTS_EXCHANGE, PERSON_KEY_HEADER, RETRY_EXCHANGE, Topology
from jumin_testing.waiting import eventually

from .conftest import DATABASE_URL, SCHEMA, Sandbox, envelope, person

Db: TypeAlias = "asyncpg.Connection[Any]"

DELAYS = (1, 2)
DELIVERY_LIMIT = 2
TOPOLOGY = Topology(retry_delays=DELAYS, delivery_limit=DELIVERY_LIMIT).with_all_routed()
KOSEKI = TOPOLOGY.recipient("koseki")


@pytest.fixture
def topology() -> Topology:
    """The short-delay topology, for conftest.py's `sandbox` (a fresh vhost, deleted afterwards)."""
    return TOPOLOGY


# ---- the registry's relay and a spy on the wait queues -------------------------------------------
@dataclass
class Broker:
    relay: aio_pika.abc.AbstractChannel
    admin: aio_pika.abc.AbstractChannel
    spy: aio_pika.abc.AbstractQueue

    async def publish(self, message: Envelope) -> None:
        exchange = await self.relay.get_exchange(EVENTS_EXCHANGE, ensure=False)
        body = message.model_dump_json(by_alias=True).encode()
        await exchange.publish(
            aio_pika.Message(
                body,
                message_id=str(message.event_id),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                headers={PERSON_KEY_HEADER: message.person_key},
            ),
            KosekiFuhyoNotice.ROUTING_KEY,
            mandatory=True,
        )

    async def ready(self, queue: str) -> int:
        """Messages ready in a queue (a passive declare, so always current)."""
        declared = await self.admin.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count or 0

    async def retries(self) -> list[tuple[UUID, str, object]]:
        """(event id, wait queue, attempt header) of each publish into a wait queue so far."""
        seen: list[tuple[UUID, str, object]] = []
        while (message := await self.spy.get(no_ack=True, fail=False)) is not None:
            attempt = (message.headers or {}).get(ATTEMPT_HEADER)
            seen.append((UUID(message.message_id), message.routing_key or "", attempt))
        return seen


@pytest.fixture
async def broker(sandbox: Sandbox) -> Broker:
    """The registry's relay and the admin's spy on the sandbox (closed with the sandbox)."""
    relay = await sandbox.connect(sandbox.topology.registry_user)
    admin = await sandbox.connect(sandbox.topology.admin_user)
    channel = await admin.channel()
    spy = await channel.declare_queue(exclusive=True)
    await spy.bind(await channel.get_exchange(RETRY_EXCHANGE), f"{KOSEKI.name}.retry.#")
    relay_channel = await relay.channel(publisher_confirms=True, on_return_raises=True)
    return Broker(relay_channel, channel, spy)


# ---- the adapter under test ----------------------------------------------------------------------
@dataclass
class ScriptedAdapter:
    """Record each attempt (committed only with the kit's transaction); fail for chosen people."""

    attempts: dict[UUID, list[float]] = field(default_factory=dict)
    failing: dict[str, Callable[[], Exception]] = field(default_factory=dict)

    def of(self, message: Envelope) -> list[float]:
        """When the handler was called for this message (event-loop clock)."""
        return self.attempts.get(message.event_id, [])

    async def __call__(self, message: Envelope, payload: RecipientMessage, connection: Any) -> None:
        assert isinstance(payload, KosekiFuhyoNotice)
        now = asyncio.get_running_loop().time()
        self.attempts.setdefault(message.event_id, []).append(now)
        await connection.execute(
            f"INSERT INTO {SCHEMA}.deliveries (event_id, person_key, seq) VALUES ($1, $2, $3)",
            message.event_id,
            message.person_key,
            message.seq,
        )
        failure = self.failing.get(message.person_key)
        if failure is not None:
            raise failure()


@pytest.fixture
def adapter() -> ScriptedAdapter:
    return ScriptedAdapter()


@pytest.fixture
async def kit(
    kit_schema: str, sandbox: Sandbox, broker: Broker, adapter: ScriptedAdapter
) -> AsyncIterator[ConsumerKit]:
    kit = ConsumerKit(
        recipient=KOSEKI.name,
        schema=kit_schema,
        amqp_url=sandbox.url(KOSEKI.user),
        database_url=DATABASE_URL,
        handler=adapter,
        models=MESSAGE_MODELS,
        topology=sandbox.topology,
        requeue_delay=0.05,
    )
    await kit.start()
    yield kit
    await kit.stop()


async def _operator() -> Staff:
    return Staff(user_id="ops-suzuki", roles=frozenset({"admin"}))


@pytest.fixture
async def api(kit: ConsumerKit) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(operator_router(kit, staff=_operator))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as c:
        yield c


# ---- helpers -------------------------------------------------------------------------------------
async def committed(db: Db, person_key: str) -> list[int]:
    """The seqs whose effect committed for a person, in commit order."""
    sql = f"SELECT seq FROM {SCHEMA}.deliveries WHERE person_key = $1 ORDER BY at"
    return [row["seq"] for row in await db.fetch(sql, person_key)]


async def listing(api: httpx.AsyncClient, what: str, person_key: str) -> list[dict[str, Any]]:
    response = await api.get(f"/operator/{what}")
    assert response.status_code == 200, response.text
    return [item for item in response.json() if item["person_key"] == person_key]


async def dead(api: httpx.AsyncClient) -> dict[UUID, dict[str, Any]]:
    response = await api.get("/operator/dead")
    assert response.status_code == 200, response.text
    return {UUID(item["event_id"]): item for item in response.json() if item["event_id"]}


async def settled(broker: Broker) -> None:
    """Wait until no message waits in koseki.events or a wait queue."""
    queues = (KOSEKI.events_queue, *(KOSEKI.retry_queue(d) for d in DELAYS))

    async def depths() -> list[int]:
        return [await broker.ready(q) for q in queues]

    await eventually(depths, until=lambda d: not any(d), what=f"{queues} empty")


# ---- the tests -----------------------------------------------------------------------------------
async def test_transient_failures_exhaust_the_retries_then_an_operator_resends(
    kit: ConsumerKit, broker: Broker, adapter: ScriptedAdapter, db: Db, api: httpx.AsyncClient
) -> None:
    alice, bob = person(), person()
    a1, a2, a3 = (envelope(alice, seq) for seq in (1, 2, 3))
    b1, b2 = envelope(bob, 1), envelope(bob, 2)
    adapter.failing[alice] = lambda: TransientError("koseki 503: 附票システム unavailable")
    await broker.publish(a1)
    await broker.publish(a2)  # handled while a1 waits for its retry: parked for the gap
    await broker.publish(b1)  # another person is not held up by alice's retries

    letters = await eventually(lambda: dead(api), until=lambda d: a1.event_id in d, what="a1 dead")
    attempts = adapter.of(a1)
    assert len(attempts) == 1 + len(DELAYS)
    for (earlier, later), delay in zip(pairwise(attempts), DELAYS, strict=True):
        assert later - earlier >= 0.9 * delay
    assert await broker.retries() == [
        (a1.event_id, "koseki.retry.1s", 1),
        (a1.event_id, "koseki.retry.2s", 2),
    ]
    assert await committed(db, bob) == [1]
    assert adapter.of(b1)[0] < attempts[-1]  # applied while alice was still being retried

    reason = "retries exhausted after 2: koseki 503: 附票システム unavailable"
    assert letters[a1.event_id] | {"died_at": None} == {
        "event_id": str(a1.event_id),
        "person_key": alice,
        "seq": 1,
        "routing_key": "koseki.fuhyo_notice",
        "reason": "rejected",
        "detail": reason,
        "queue": "koseki.events",
        "died_at": None,
    }
    (raw,) = [d for d in await kit.operations.dead_letters(100) if d.event_id == a1.event_id]
    assert raw.headers[ATTEMPT_HEADER] == len(DELAYS)
    # Rejected by the kit's consumer, dead-lettered by the broker: the reason is in x-death.
    assert raw.headers["x-death"][0]["reason"] == "rejected"
    blocked = await listing(api, "blocked", alice)
    assert [(b["blocked_event_id"], b["reason"], b["last_seq"]) for b in blocked] == [
        (str(a1.event_id), reason, 0)
    ]

    await broker.publish(a3)
    await broker.publish(b2)
    await eventually(lambda: committed(db, bob), until=lambda s: s == [1, 2], what="bob goes on")
    parked = await eventually(
        lambda: listing(api, "parked", alice), until=lambda p: len(p) == 2, what="a2, a3 parked"
    )
    assert [(p["seq"], p["reason"]) for p in parked] == [(2, "gap"), (3, "blocked")]
    assert await committed(db, alice) == []

    del adapter.failing[alice]  # the external system is back
    response = await api.post(f"/operator/resend/{a1.event_id}", json={"reason": "附票 back"})
    assert response.status_code == 202, response.text

    assert await eventually(
        lambda: committed(db, alice), until=lambda s: len(s) == 3, what="alice applied"
    ) == [1, 2, 3]
    await settled(broker)
    assert await broker.retries() == [(a1.event_id, "koseki.retry.1s", 0)]  # the resend
    assert [len(adapter.of(m)) for m in (a1, a2, a3)] == [1 + len(DELAYS) + 1, 1, 1]
    inbox = await db.fetch(
        f"SELECT seq, outcome FROM {SCHEMA}.inbox WHERE person_key = $1 ORDER BY seq", alice
    )
    assert [tuple(row) for row in inbox] == [(1, "applied"), (2, "applied"), (3, "applied")]
    assert a1.event_id not in await dead(api)
    assert await listing(api, "parked", alice) == []
    assert await listing(api, "blocked", alice) == []


async def test_an_unknown_exception_is_requeued_until_the_delivery_limit_dead_letters_it(
    kit: ConsumerKit, broker: Broker, adapter: ScriptedAdapter, db: Db, api: httpx.AsyncClient
) -> None:
    carol = person()
    c1, c2 = envelope(carol, 1), envelope(carol, 2)
    adapter.failing[carol] = lambda: RuntimeError("bug in the adapter")
    await broker.publish(c1)

    letters = await eventually(lambda: dead(api), until=lambda d: c1.event_id in d, what="c1 dead")
    # The first delivery and DELIVERY_LIMIT requeues (RabbitMQ 3.x counts every nack-requeue).
    assert len(adapter.of(c1)) == DELIVERY_LIMIT + 1
    assert (letters[c1.event_id]["reason"], letters[c1.event_id]["queue"]) == (
        "delivery_limit",
        "koseki.events",
    )
    assert await broker.retries() == []  # requeued in place, not through the wait queues
    assert await committed(db, carol) == []
    assert (
        await db.fetchval(f"SELECT count(*) FROM {SCHEMA}.inbox WHERE person_key = $1", carol) == 0
    )

    await broker.publish(c2)  # must not overtake the dead c1
    parked = await eventually(lambda: listing(api, "parked", carol), until=bool, what="c2 parked")
    assert [(p["seq"], p["reason"]) for p in parked] == [(2, "gap")]

    del adapter.failing[carol]
    response = await api.post(f"/operator/resend/{c1.event_id}", json={})
    assert response.status_code == 202, response.text
    assert await eventually(
        lambda: committed(db, carol), until=lambda s: len(s) == 2, what="carol applied"
    ) == [1, 2]
    await settled(broker)
    assert [len(adapter.of(m)) for m in (c1, c2)] == [DELIVERY_LIMIT + 2, 1]
    assert c1.event_id not in await dead(api)
