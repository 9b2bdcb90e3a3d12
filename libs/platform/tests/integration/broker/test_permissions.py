"""Least privilege and routing on the real broker (RabbitMQ with the consistent-hash plugin).

Every test runs in its own vhost carrying `jumin_platform.topology` (see conftest.py), connecting
as the real service users with exactly the topology's permissions. What is proven:

- an adapter reads only its own queues, and can neither declare, delete, purge nor bind anything;
- the registry publishes only `<recipient>.*` keys to `jumin.events` and nothing to `jumin.commands`;
- an adapter sends commands (`registry.*` only) and retries/dead letters only under its own keys;
- routing: `cs.identity` reaches cs.events and no other queue; rejects and exhausted delivery limits
  dead-letter into `<recipient>.dead`; retry wait queues return messages to the main queue;
- scale-out: 1000 messages with 200 person keys spread over 4 partitions, one person → one
  partition, in publish order, and a retry returns to the person's partition;
- `declare` is idempotent and switches a recipient between the two modes;
- the provisioned `jumin` vhost carries the same matrix and queues.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from uuid import uuid4

import aio_pika
import aio_pika.abc
import pytest
from aio_pika import DeliveryMode
from aiormq.exceptions import ChannelAccessRefused
from jumin_platform.topology import (
    COMMANDS_EXCHANGE,
    DEAD_LETTER_EXCHANGE,
    EVENTS_EXCHANGE,
    PERSON_KEY_HEADER,
    REGISTRY_QUEUE,
    RETRY_EXCHANGE,
    Topology,
)
from pamqp.common import FieldValue

from .conftest import Sandbox, SandboxFactory, management, q

ADMIN = "jumin_admin"
REGISTRY = "jumin_registry"
CS = "jumin_cs_adapter"
KOSEKI = "jumin_koseki_adapter"
INTERMEDIATE = "jumin_intermediate_server"
WAIT_SECONDS = 15.0

Channel = aio_pika.abc.AbstractChannel


# ---- helpers -------------------------------------------------------------------------------------
def event(headers: aio_pika.abc.HeadersType | None = None) -> aio_pika.Message:
    """A persistent message as the outbox relay sends it (message_id = event id)."""
    return aio_pika.Message(
        json.dumps({"event_id": str(uuid4())}).encode(),
        message_id=str(uuid4()),
        delivery_mode=DeliveryMode.PERSISTENT,
        content_type="application/json",
        headers=headers or {},
    )


async def channel_as(sandbox: Sandbox, user: str) -> Channel:
    """A channel with publisher confirms and returns raised (as the services publish)."""
    connection = await sandbox.connect(user)
    return await connection.channel(publisher_confirms=True, on_return_raises=True)


async def publish(
    channel: Channel, exchange: str, routing_key: str, message: aio_pika.Message
) -> None:
    target = await channel.get_exchange(exchange, ensure=False)
    await target.publish(message, routing_key, mandatory=True)


class Inbox:
    """A consumer on one queue collecting its deliveries (quorum queues with a single active
    consumer refuse basic.get, so the tests consume as the services do)."""

    def __init__(self, channel: Channel, queue: str) -> None:
        self.channel = channel
        self.queue = queue
        self.messages: asyncio.Queue[aio_pika.abc.AbstractIncomingMessage] = asyncio.Queue()

    async def start(self) -> Inbox:
        await self.channel.set_qos(prefetch_count=100)
        source = await self.channel.get_queue(self.queue, ensure=False)
        await source.consume(self.messages.put)
        return self

    async def next(self) -> aio_pika.abc.AbstractIncomingMessage:
        message = await self.poll(WAIT_SECONDS)
        if message is None:
            pytest.fail(f"no message arrived in {self.queue} within {WAIT_SECONDS}s")
        return message

    async def poll(self, seconds: float) -> aio_pika.abc.AbstractIncomingMessage | None:
        try:
            return await asyncio.wait_for(self.messages.get(), seconds)
        except TimeoutError:
            return None


async def take(channel: Channel, queue: str) -> aio_pika.abc.AbstractIncomingMessage:
    """The next message from `queue` (waiting: wait queues and dead-lettering are async)."""
    inbox = await Inbox(channel, queue).start()
    return await inbox.next()


async def ready_count(sandbox: Sandbox, queue: str) -> int:
    """Ready messages in a queue, from a passive declare as the admin."""
    connection = await sandbox.connect(ADMIN)
    channel = await connection.channel()
    declared = await channel.declare_queue(queue, passive=True)
    count = declared.declaration_result.message_count
    await channel.close()
    assert count is not None
    return count


async def assert_refused(
    sandbox: Sandbox, user: str, action: Callable[[Channel], Awaitable[object]], what: str
) -> None:
    """Run `action` on a fresh channel of `user`: the broker must close it with ACCESS_REFUSED."""
    channel = await channel_as(sandbox, user)
    with pytest.raises(ChannelAccessRefused) as refused:
        await action(channel)
    assert what in str(refused.value), refused.value


# ---- adapters: read only their own queues, configure nothing --------------------------------------
async def test_adapter_cannot_consume_another_recipients_queue(sandbox: Sandbox) -> None:
    async def consume_cs(channel: Channel) -> None:
        queue = await channel.get_queue("cs.events", ensure=False)
        await queue.consume(_ack)

    async def get_cs_dead(channel: Channel) -> None:
        queue = await channel.get_queue("cs.dead", ensure=False)
        await queue.get(fail=False)

    async def purge_cs(channel: Channel) -> None:
        queue = await channel.get_queue("cs.events", ensure=False)
        await queue.purge()

    await assert_refused(sandbox, KOSEKI, consume_cs, "access to queue 'cs.events'")
    await assert_refused(sandbox, KOSEKI, get_cs_dead, "access to queue 'cs.dead'")
    await assert_refused(sandbox, KOSEKI, purge_cs, "access to queue 'cs.events'")
    # Nor the wait queues of its own recipient: only the broker moves messages out of them.
    await assert_refused(
        sandbox, KOSEKI, lambda ch: _consume(ch, "koseki.retry.1s"), "koseki.retry.1s"
    )


async def _ack(message: aio_pika.abc.AbstractIncomingMessage) -> None:
    await message.ack()


async def _consume(channel: Channel, queue_name: str) -> None:
    queue = await channel.get_queue(queue_name, ensure=False)
    await queue.consume(_ack)


async def test_adapter_cannot_declare_delete_or_bind(sandbox: Sandbox) -> None:
    topology = sandbox.topology

    async def redeclare_own_queue(channel: Channel) -> None:
        await channel.declare_queue(
            "koseki.events",
            durable=True,
            arguments=dict[str, FieldValue](topology.consumer_queue_arguments()),
        )

    async def declare_new_queue(channel: Channel) -> None:
        await channel.declare_queue("koseki.scratch", durable=True)

    async def declare_exchange(channel: Channel) -> None:
        await channel.declare_exchange("koseki.fanout", aio_pika.ExchangeType.FANOUT, durable=True)

    async def delete_queue(channel: Channel) -> None:
        await channel.queue_delete("cs.events")

    async def bind_own_queue_to_cs_keys(channel: Channel) -> None:
        queue = await channel.get_queue("koseki.events", ensure=False)
        await queue.bind(EVENTS_EXCHANGE, "cs.#")

    async def bind_exchange_to_exchange(channel: Channel) -> None:
        retry = await channel.get_exchange(RETRY_EXCHANGE, ensure=False)
        await retry.bind(EVENTS_EXCHANGE, "cs.#")

    await assert_refused(sandbox, KOSEKI, redeclare_own_queue, "access to queue")
    await assert_refused(sandbox, KOSEKI, declare_new_queue, "access to queue")
    await assert_refused(sandbox, KOSEKI, declare_exchange, "access to exchange")
    await assert_refused(sandbox, KOSEKI, delete_queue, "access to queue 'cs.events'")
    # Binding needs write on the destination and read on the source: an adapter has neither.
    await assert_refused(
        sandbox, KOSEKI, bind_own_queue_to_cs_keys, "access to queue 'koseki.events'"
    )
    await assert_refused(
        sandbox, KOSEKI, bind_exchange_to_exchange, f"access to exchange '{EVENTS_EXCHANGE}'"
    )
    # The registry cannot bind its queue to the events either.
    await assert_refused(
        sandbox,
        REGISTRY,
        lambda ch: _bind(ch, REGISTRY_QUEUE, EVENTS_EXCHANGE, "#"),
        f"access to queue '{REGISTRY_QUEUE}'",
    )


async def _bind(channel: Channel, queue_name: str, exchange: str, key: str) -> None:
    queue = await channel.get_queue(queue_name, ensure=False)
    await queue.bind(exchange, key)


async def test_adapter_consumes_its_own_queue(sandbox: Sandbox) -> None:
    registry = await channel_as(sandbox, REGISTRY)
    sent = event()
    await publish(registry, EVENTS_EXCHANGE, "koseki.fuhyo_notice", sent)

    koseki = await channel_as(sandbox, KOSEKI)
    await koseki.set_qos(prefetch_count=1)
    # Passive declares (FastStream's `declare=False`) need no configure right.
    await koseki.get_exchange(COMMANDS_EXCHANGE, ensure=True)
    await koseki.get_exchange(RETRY_EXCHANGE, ensure=True)
    await registry.get_exchange(EVENTS_EXCHANGE, ensure=True)
    queue = await koseki.get_queue("koseki.events", ensure=True)
    received: asyncio.Queue[aio_pika.abc.AbstractIncomingMessage] = asyncio.Queue()
    tag = await queue.consume(received.put)
    message = await asyncio.wait_for(received.get(), WAIT_SECONDS)
    assert message.message_id == sent.message_id
    assert message.routing_key == "koseki.fuhyo_notice"
    await message.ack()
    await queue.cancel(tag)
    assert await ready_count(sandbox, "koseki.events") == 0


# ---- the registry: only recipients' keys, only jumin.events --------------------------------------
@pytest.mark.parametrize(
    "routing_key", ["registry.assign", "evil.cs.identity", "audit.log", "csx.identity", "cs"]
)
async def test_registry_cannot_publish_outside_recipient_keys(
    sandbox: Sandbox, routing_key: str
) -> None:
    await assert_refused(
        sandbox,
        REGISTRY,
        lambda ch: publish(ch, EVENTS_EXCHANGE, routing_key, event()),
        f"access to topic '{routing_key}' in exchange '{EVENTS_EXCHANGE}'",
    )


@pytest.mark.parametrize(
    ("exchange", "routing_key"),
    [
        (COMMANDS_EXCHANGE, "registry.assign"),
        (RETRY_EXCHANGE, "cs.retry.1s"),
        (DEAD_LETTER_EXCHANGE, "cs.identity"),
        ("", "cs.events"),  # the default exchange would bypass every binding
    ],
)
async def test_registry_cannot_publish_commands_retries_or_direct(
    sandbox: Sandbox, exchange: str, routing_key: str
) -> None:
    await assert_refused(
        sandbox,
        REGISTRY,
        lambda ch: publish(ch, exchange, routing_key, event()),
        f"access to exchange '{exchange or 'amq.default'}'",
    )


async def test_cs_identity_reaches_cs_only(sandbox: Sandbox) -> None:
    registry = await channel_as(sandbox, REGISTRY)
    sent = event()
    await publish(registry, EVENTS_EXCHANGE, "cs.identity", sent)  # confirmed = enqueued

    queues = [
        name
        for q in sandbox.topology.queues()
        if (name := q.name) != "cs.events" and not name.startswith("cs.retry.")
    ]
    counts = {name: await ready_count(sandbox, name) for name in queues}
    assert counts == dict.fromkeys(queues, 0)
    cs = await channel_as(sandbox, CS)
    message = await take(cs, "cs.events")
    assert message.message_id == sent.message_id
    await message.ack()


# ---- adapters: commands, retries, dead letters under their own keys only --------------------------
async def test_adapter_sends_commands_to_the_registry_only(sandbox: Sandbox) -> None:
    cs = await channel_as(sandbox, CS)
    command = event()
    await publish(cs, COMMANDS_EXCHANGE, "registry.my_number_assigned", command)
    registry = await channel_as(sandbox, REGISTRY)
    received = await take(registry, REGISTRY_QUEUE)
    assert received.message_id == command.message_id
    await received.ack()

    await assert_refused(
        sandbox,
        CS,
        lambda ch: publish(ch, COMMANDS_EXCHANGE, "cs.identity", event()),
        f"access to topic 'cs.identity' in exchange '{COMMANDS_EXCHANGE}'",
    )
    # Only its own commands: a 長官通知 is 法務省's (moj_notify) to send, not CS's.
    await assert_refused(
        sandbox,
        CS,
        lambda ch: publish(ch, COMMANDS_EXCHANGE, "registry.moj_notice", event()),
        f"access to topic 'registry.moj_notice' in exchange '{COMMANDS_EXCHANGE}'",
    )
    await assert_refused(
        sandbox,
        CS,
        lambda ch: publish(ch, EVENTS_EXCHANGE, "koseki.fuhyo_notice", event()),
        f"access to exchange '{EVENTS_EXCHANGE}'",
    )
    # The 戸籍 side's adapter sends its own notices, never CS's commands.
    await assert_refused(
        sandbox,
        KOSEKI,
        lambda ch: publish(ch, COMMANDS_EXCHANGE, "registry.my_number_assigned", event()),
        f"access to topic 'registry.my_number_assigned' in exchange '{COMMANDS_EXCHANGE}'",
    )
    # A recipient that sends no command back may not write to jumin.commands at all.
    await assert_refused(
        sandbox,
        INTERMEDIATE,
        lambda ch: publish(ch, COMMANDS_EXCHANGE, "registry.my_number_assigned", event()),
        f"access to exchange '{COMMANDS_EXCHANGE}'",
    )


async def test_retry_wait_queue_returns_to_the_main_queue(sandbox: Sandbox) -> None:
    cs = await channel_as(sandbox, CS)
    retried = event({PERSON_KEY_HEADER: "p001"})
    await publish(cs, RETRY_EXCHANGE, "cs.retry.1s", retried)
    assert await ready_count(sandbox, "cs.events") == 0  # waiting in cs.retry.1s first
    back = await take(cs, "cs.events")
    assert back.message_id == retried.message_id
    assert back.headers[PERSON_KEY_HEADER] == "p001"
    await back.ack()

    # Another recipient's wait queues are out of reach (topic permission on jumin.retry).
    await assert_refused(
        sandbox,
        CS,
        lambda ch: publish(ch, RETRY_EXCHANGE, "koseki.retry.1s", event()),
        f"access to topic 'koseki.retry.1s' in exchange '{RETRY_EXCHANGE}'",
    )
    await assert_refused(
        sandbox,
        CS,
        lambda ch: publish(ch, DEAD_LETTER_EXCHANGE, "koseki.identity", event()),
        f"access to topic 'koseki.identity' in exchange '{DEAD_LETTER_EXCHANGE}'",
    )


async def test_rejected_message_lands_in_the_dead_letter_queue(sandbox: Sandbox) -> None:
    registry = await channel_as(sandbox, REGISTRY)
    sent = event()
    await publish(registry, EVENTS_EXCHANGE, "cs.identity", sent)

    cs = await channel_as(sandbox, CS)
    message = await take(cs, "cs.events")
    await message.reject(requeue=False)

    dead = await take(cs, "cs.dead")  # the adapter may read its own dead letters (resend/skip)
    assert dead.message_id == sent.message_id
    assert dead.routing_key == "cs.identity"
    death = dead.headers["x-death"]
    assert isinstance(death, list)
    first = death[0]
    assert isinstance(first, dict)
    assert (first["queue"], first["reason"]) == ("cs.events", "rejected")
    await dead.ack()
    assert await ready_count(sandbox, "koseki.dead") == 0


async def test_delivery_limit_dead_letters_a_poison_message(sandbox: Sandbox) -> None:
    registry = await channel_as(sandbox, REGISTRY)
    sent = event()
    await publish(registry, EVENTS_EXCHANGE, "cs.identity", sent)

    cs = await channel_as(sandbox, CS)
    inbox = await Inbox(cs, "cs.events").start()
    deliveries = 0
    for _ in range(sandbox.topology.delivery_limit + 1):
        message = await inbox.next()
        assert message.message_id == sent.message_id
        deliveries += 1
        await message.nack(requeue=True)  # a consumer that keeps failing
    await asyncio.sleep(0.5)
    assert inbox.messages.empty(), "redelivered beyond the delivery limit"
    dead = await take(cs, "cs.dead")
    assert dead.message_id == sent.message_id
    assert deliveries == sandbox.topology.delivery_limit + 1
    death = dead.headers["x-death"]
    assert isinstance(death, list)
    first = death[0]
    assert isinstance(first, dict)
    assert (first["queue"], first["reason"]) == ("cs.events", "delivery_limit")
    await dead.ack()


# ---- scale-out: consistent hash on the person-key header ------------------------------------------
async def test_partitions_spread_people_and_keep_each_person_in_one(
    make_sandbox: SandboxFactory,
) -> None:
    sandbox = await make_sandbox(Topology().with_partitions({"cs": 4}))
    registry = await channel_as(sandbox, REGISTRY)
    people = [f"person-{i:03d}" for i in range(200)]
    sent = [(people[i % len(people)], i) for i in range(1000)]
    for start in range(0, len(sent), 100):
        batch = sent[start : start + 100]
        await asyncio.gather(
            *(
                publish(
                    registry,
                    EVENTS_EXCHANGE,
                    "cs.identity",
                    event({PERSON_KEY_HEADER: person, "seq": seq}),
                )
                for person, seq in batch
            )
        )

    cs = await channel_as(sandbox, CS)  # the cs adapter reads every partition
    inboxes = [
        await Inbox(cs, partition).start()
        for partition in sandbox.topology.recipient("cs").partition_queues
    ]
    seen: dict[str, list[tuple[str, int]]] = {inbox.queue: [] for inbox in inboxes}

    async def drain(inbox: Inbox) -> None:
        while (message := await inbox.poll(1.0)) is not None:
            person, seq = message.headers[PERSON_KEY_HEADER], message.headers["seq"]
            assert isinstance(person, str)
            assert isinstance(seq, int)
            seen[inbox.queue].append((person, seq))
            await message.ack()

    await asyncio.gather(*(drain(inbox) for inbox in inboxes))
    assert sum(len(got) for got in seen.values()) == 1000
    partitions_of: defaultdict[str, set[str]] = defaultdict(set)
    for partition, got in seen.items():
        for person, _ in got:
            partitions_of[person].add(partition)
    assert set(partitions_of) == set(people)
    assert all(len(parts) == 1 for parts in partitions_of.values()), "a person was split"
    people_per_partition = Counter(next(iter(parts)) for parts in partitions_of.values())
    assert len(people_per_partition) == 4, people_per_partition
    assert min(people_per_partition.values()) >= 20, people_per_partition  # ~50 expected each
    for got in seen.values():  # each person's messages in publish order
        for person in {p for p, _ in got}:
            seqs = [s for p, s in got if p == person]
            assert seqs == sorted(seqs)

    # A retry goes back through the hash ring: into the same person's partition.
    person = people[7]
    (home,) = partitions_of[person]
    await publish(cs, RETRY_EXCHANGE, "cs.retry.1s", event({PERSON_KEY_HEADER: person}))
    back = await next(i for i in inboxes if i.queue == home).next()
    assert back.headers[PERSON_KEY_HEADER] == person
    await back.ack()

    # A message without the header is not lost (mandatory publish): it lands in some partition.
    stray = event()
    await publish(registry, EVENTS_EXCHANGE, "cs.identity", stray)
    arrived = [m for m in await asyncio.gather(*(i.poll(2.0) for i in inboxes)) if m is not None]
    assert [m.message_id for m in arrived] == [stray.message_id]

    koseki = sandbox.topology.recipient("cs").partition_queue(0)
    await assert_refused(
        sandbox, KOSEKI, lambda ch: _consume(ch, koseki), f"access to queue '{koseki}'"
    )


# ---- declare: idempotent, switches modes ---------------------------------------------------------
def _bindings(vhost: str) -> list[tuple[str, str, str, str]]:
    with management() as client:
        response = client.get(f"/bindings/{q(vhost)}")
        response.raise_for_status()
        rows = response.json()
    return sorted(
        (b["source"], b["destination"], b["destination_type"], b["routing_key"]) for b in rows
    )


async def test_declare_is_idempotent_and_switches_scale_out_mode(sandbox: Sandbox) -> None:
    before = _bindings(sandbox.vhost)
    await sandbox.redeclare(sandbox.topology)
    assert _bindings(sandbox.vhost) == before

    await sandbox.redeclare(sandbox.topology.with_partitions({"cs": 3}))
    after = _bindings(sandbox.vhost)
    assert (EVENTS_EXCHANGE, "cs.events", "queue", "cs.#") not in after
    assert (EVENTS_EXCHANGE, "cs.partition", "exchange", "cs.#") in after
    registry = await channel_as(sandbox, REGISTRY)
    await publish(registry, EVENTS_EXCHANGE, "cs.identity", event({PERSON_KEY_HEADER: "x"}))
    counts = [await ready_count(sandbox, f"cs.events.p{i}") for i in range(3)]
    assert sum(counts) == 1
    assert await ready_count(sandbox, "cs.events") == 0

    await sandbox.redeclare(sandbox.topology.with_partitions({"cs": 0}))
    back = _bindings(sandbox.vhost)
    assert (EVENTS_EXCHANGE, "cs.events", "queue", "cs.#") in back
    assert (EVENTS_EXCHANGE, "cs.partition", "exchange", "cs.#") not in back


# ---- the provisioned vhost -----------------------------------------------------------------------
def test_provisioned_vhost_carries_the_matrix_and_the_queues(
    provisioned_topology: Topology,
) -> None:
    """deploy/local/provision.sh (run by `make test`) applied exactly this topology."""
    topology = provisioned_topology
    vhost = q(topology.vhost)
    with management() as client:
        for user in topology.users():
            response = client.get(f"/permissions/{vhost}/{q(user.name)}")
            assert response.status_code == 200, f"{user.name} has no permissions: provision first"
            got = response.json()
            p = user.permissions
            assert (got["configure"], got["write"], got["read"]) == (p.configure, p.write, p.read)
            topics = client.get(f"/topic-permissions/{vhost}/{q(user.name)}")
            have = (
                {(t["exchange"], t["write"], t["read"]) for t in topics.json()}
                if topics.status_code == 200
                else set()
            )
            assert have == {(t.exchange, t.write, t.read) for t in user.topic_permissions}
            tags = client.get(f"/users/{q(user.name)}").json()["tags"]
            assert tags in ([], ""), f"{user.name} has tags {tags}"
        for queue in topology.queues():
            response = client.get(f"/queues/{vhost}/{q(queue.name)}")
            assert response.status_code == 200, f"queue {queue.name} missing"
            assert response.json()["arguments"] == dict(queue.arguments)
        guest = client.get(f"/permissions/{vhost}/guest")
        assert guest.status_code == 404, "guest must have no rights on the jumin vhost"
