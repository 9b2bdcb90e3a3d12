"""Scale-out mode end to end: 4 consumer kits in parallel, per-person order and exactly-once hold.

A throwaway vhost (`jumin_testing.broker`) carries the topology with `cs` in scale-out mode, 4 partitions:
`jumin.events` ─cs.#─▶ `cs.partition` (consistent hash on the `person-key` header) ─▶
`cs.events.p0` … `p3`, each quorum and single-active-consumer. As the registry's broker user,
~2,000 `cs.identity` envelopes for 200 person keys are published in per-person seq order (wave k
carries every person's seq k, so people interleave freely and a person's seq k+1 is only sent once
seq k is confirmed). Four real `ConsumerKit`s — each pinned to one partition queue, the way four
replicas of an adapter would each own one partition — consume in parallel as `jumin_cs_adapter`,
sharing one inbox schema in PostgreSQL.

Proven:

- every message is handled exactly once: one handler call per event, one inbox row per event, and
  each person's progress ends at their last seq with nothing parked;
- per-person order: for every person key the handled seqs are exactly 1, 2, …, n in handling order;
- the work really spread: each of the 4 kits handled a share, and each person was handled by one
  kit only (the hash ring keeps a person on one partition).

Database: `jumin_test_consumer` as the owner role (as the consumer tests), schema `scale_out_order`
created once through the local `postgres` superuser when missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import aio_pika
import asyncpg
import pytest
from jumin_contracts.codes import ChangeKind, Sex
from jumin_contracts.envelope import Envelope, new_event_id
from jumin_contracts.messages import MESSAGE_MODELS, CsIdentity, RecipientMessage
from jumin_platform.consumer import ConsumerKit
from jumin_platform.topology import EVENTS_EXCHANGE, PERSON_KEY_HEADER, Topology
from jumin_testing.broker import SandboxFactory
from jumin_testing.kit_schema import connect, fresh_kit_schema

DATABASE_URL = os.environ.get(
    "JUMIN_TEST_CONSUMER_DATABASE_URL",
    "postgresql://jumin_registry_owner:jumin_registry_owner@127.0.0.1:5432/jumin_test_consumer",
)
SCHEMA = "scale_out_order"
PARTITIONS = 4
PEOPLE = 200
REGISTRY = "jumin_registry"
CS = "jumin_cs_adapter"
WAIT_SECONDS = 25.0


# ---- database ------------------------------------------------------------------------------------
@pytest.fixture
async def db() -> AsyncIterator[asyncpg.Connection[Any]]:
    """The kit's tables, empty, in the test schema; a connection to check them."""
    connection = await connect(DATABASE_URL)
    try:
        await fresh_kit_schema(connection, DATABASE_URL, SCHEMA)
        yield connection
    finally:
        await connection.close()


# ---- four kits, one partition each ---------------------------------------------------------------
@dataclass
class Handled:
    """What the kits' handlers saw, in handling order: (consumer, person key, seq, event id)."""

    expected: int
    calls: list[tuple[int, str, int, UUID]] = field(default_factory=list)
    all_in: asyncio.Event = field(default_factory=asyncio.Event)

    def handler_for(self, consumer: int) -> Any:
        async def handle(envelope: Envelope, payload: RecipientMessage, connection: Any) -> None:
            assert isinstance(payload, CsIdentity)
            self.calls.append((consumer, envelope.person_key, envelope.seq, envelope.event_id))
            if len(self.calls) >= self.expected:
                self.all_in.set()

        return handle


def pinned_kit(topology: Topology, amqp_url: str, index: int, handled: Handled) -> ConsumerKit:
    kit = ConsumerKit(
        recipient="cs",
        schema=SCHEMA,
        amqp_url=amqp_url,
        database_url=DATABASE_URL,
        handler=handled.handler_for(index),
        models=MESSAGE_MODELS,
        topology=topology,
        partitions=[index],
    )
    assert kit.recipient.consumer_queues == (f"cs.events.p{index}",)
    return kit


# ---- messages ------------------------------------------------------------------------------------
def identity(person_key: str, seq: int) -> Envelope:
    notice = CsIdentity(
        change_kind=ChangeKind.MOVE_WITHIN_WARD,
        occurred_on="2025-01-10",
        family_name="新宿",
        given_name="花子",
        family_name_kana="シンジュク",
        given_name_kana="ハナコ",
        former_surname=None,
        former_surname_kana=None,
        alias=None,
        alias_kana=None,
        name_alphabet=None,
        birth_date="1990-05-06",
        sex=Sex.FEMALE,
        address=f"東京都新宿区西新宿二丁目8番{seq}号",
        juminhyo_code=None,
        my_number=None,
        record_status="resident",
        previous_juminhyo_code=None,
    )
    return Envelope.wrap(
        notice,
        change_id=uuid4(),
        person_key=person_key,
        seq=seq,
        kind=ChangeKind.MOVE_WITHIN_WARD,
        occurred_on="2025-01-10",
        notified_on=None,
        recorded_at=datetime.now(UTC),
        event_id=new_event_id(),
    )


def message_of(envelope: Envelope) -> aio_pika.Message:
    """As the relay sends it: persistent, message_id = event id, person key in the header."""
    return aio_pika.Message(
        envelope.model_dump_json(by_alias=True).encode(),
        message_id=str(envelope.event_id),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers={PERSON_KEY_HEADER: envelope.person_key},
    )


# ---- the test ------------------------------------------------------------------------------------
async def test_four_kits_share_the_partitions_and_keep_each_persons_order(
    make_sandbox: SandboxFactory, db: asyncpg.Connection[Any]
) -> None:
    sandbox = await make_sandbox(Topology().with_partitions({"cs": PARTITIONS}))
    topology = sandbox.topology
    people = [f"pk{uuid4().hex}" for _ in range(PEOPLE)]
    counts = {p: 1 + (i * 7) % 19 for i, p in enumerate(people)}  # 1 … 19 each, ~10 on average
    total = sum(counts.values())
    assert 1_900 <= total <= 2_100

    handled = Handled(expected=total)
    kits = [pinned_kit(topology, sandbox.url(CS), i, handled) for i in range(PARTITIONS)]
    try:
        await asyncio.gather(*(kit.start() for kit in kits))

        registry = await (await sandbox.connect(REGISTRY)).channel(
            publisher_confirms=True, on_return_raises=True
        )
        events = await registry.get_exchange(EVENTS_EXCHANGE, ensure=False)
        sent: dict[UUID, tuple[str, int]] = {}
        for seq in range(1, max(counts.values()) + 1):  # wave `seq`: everyone's seq-th message
            wave = [identity(p, seq) for p in people if counts[p] >= seq]
            sent.update({e.event_id: (e.person_key, e.seq) for e in wave})
            await asyncio.gather(
                *(events.publish(message_of(e), "cs.identity", mandatory=True) for e in wave)
            )
        assert len(sent) == total

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(handled.all_in.wait(), WAIT_SECONDS)
        await asyncio.sleep(0.3)  # let a stray duplicate show itself
    finally:
        await asyncio.gather(*(kit.stop() for kit in kits), return_exceptions=True)

    calls = handled.calls
    # Exactly once: one handler call and one inbox row per event, nothing left parked.
    assert len(calls) == total, f"handled {len(calls)} of {total} in {WAIT_SECONDS}s"
    assert Counter(event_id for *_, event_id in calls) == Counter(sent.keys())
    inbox = await db.fetch(f"SELECT event_id, person_key, seq, outcome FROM {SCHEMA}.inbox")
    assert len(inbox) == total
    assert {r["event_id"]: (r["person_key"], r["seq"]) for r in inbox} == sent
    assert {r["outcome"] for r in inbox} == {"applied"}
    progress = await db.fetch(
        f"SELECT person_key, last_seq, blocked_event_id FROM {SCHEMA}.person_progress"
    )
    assert {r["person_key"]: r["last_seq"] for r in progress} == counts
    assert all(r["blocked_event_id"] is None for r in progress)
    assert await db.fetchval(f"SELECT count(*) FROM {SCHEMA}.parked") == 0

    # Per-person order: each person's handled seqs are 1 … n, in handling order.
    seqs: defaultdict[str, list[int]] = defaultdict(list)
    consumers_of: defaultdict[str, set[int]] = defaultdict(set)
    for consumer, person_key, seq, _ in calls:
        seqs[person_key].append(seq)
        consumers_of[person_key].add(consumer)
    for person_key, n in counts.items():
        assert seqs[person_key] == list(range(1, n + 1)), person_key

    # The work spread over all four kits, and no person was split between two of them.
    assert all(len(c) == 1 for c in consumers_of.values()), "a person was handled by two kits"
    per_consumer = Counter(consumer for consumer, *_ in calls)
    assert sorted(per_consumer) == list(range(PARTITIONS)), per_consumer
    assert min(per_consumer.values()) >= total // (PARTITIONS * 4), per_consumer
