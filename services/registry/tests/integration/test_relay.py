"""The outbox relay on real PostgreSQL and RabbitMQ: approval → outbox row → confirmed message.

Each test runs the relay (`OutboxRelay`, configured from the test settings) as an asyncio task and
reads the recipients' queues as the recipients' own broker users, on a throwaway vhost of its own
(`downstream.broker_sandbox`) where every recipient is routed, as once all their services exist;
the registry projects for all of them too (`Settings.routed_recipients`). The queues are purged
first and only messages of changes this test approved are asserted on.

What is proven:

- a family's 国内転入 reaches 住基CS, 証明書 and the 戸籍附票 system: message_id = event id,
  persistent, the envelope and its extra="forbid" payload parse, the person key is opaque, seq
  starts at 1 per person, the rows are marked published; 戸籍附票 only for 管内本籍;
- a pending (unapproved) change leaves no outbox row and no message;
- a 国内転出 sends CS one 転出証明書情報 per person who moves out, once approved and not before;
- standby takeover: of two relays exactly one leads; when it dies the other publishes;
- a crash between confirm and mark republishes (same event ids, same per-person order, no loss);
- 20 quick changes of one person arrive at cs.events with seq strictly increasing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from uuid import UUID

import aio_pika
import aio_pika.abc
import httpx
import pytest
from jumin_contracts.codes import ChangeKind
from jumin_contracts.envelope import Envelope, parse_payload
from jumin_contracts.messages import MESSAGE_MODELS, CsMoveOutCertificate
from jumin_platform.topology import PERSON_KEY_HEADER, Topology
from jumin_testing.waiting import eventually
from pydantic import SecretStr
from registry.adapters.outbox import Outbox
from registry.bootstrap import Registry
from registry.config import Settings
from registry.entrypoints.relay import OutboxRelay, RelayConfig

from .downstream import broker_sandbox, registry_url
from .helpers import (
    OTHER_WARD_ADDRESS,
    REVIEWER,
    WARD_ADDRESS,
    WARD_ADDRESS_TEXT,
    TokenFactory,
    approve,
    auth,
    by_given_name,
    enter_and_approve,
    family,
    juminhyo_code,
    move_in,
    move_within_ward,
    person,
    submit,
)

ADMIN = "jumin_admin"
QUEUE_USERS = {
    "cs.events": "jumin_cs_adapter",
    "koseki.events": "jumin_koseki_adapter",
    "certificates.events": "jumin_certificates",
    "intermediate.events": "jumin_intermediate_server",
}
POLL_SECONDS = 0.3
OUTSIDE_HONSEKI = "大阪府大阪市北区中之島一丁目3番地"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
MOVE_OUT_DESTINATION = "東京都中野区中野一丁目1番1号"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


# ---- broker side ---------------------------------------------------------------------------------
@pytest.fixture
async def settings(settings: Settings) -> AsyncIterator[Settings]:
    """The test settings on a vhost of this test's own, every recipient routed and projected."""
    amqp = settings.amqp_url.get_secret_value()
    async with broker_sandbox(amqp, all_routed=True) as sandbox:
        yield settings.model_copy(
            update={
                "amqp_url": SecretStr(registry_url(sandbox, amqp)),
                "routed_recipients": sandbox.topology.routed_recipients,
            }
        )


def amqp_url(settings: Settings, user: str) -> str:
    """The settings' broker URL with another user's credentials (same host, port and vhost)."""
    parts = urlsplit(settings.amqp_url.get_secret_value())
    password = Topology().user(user).password()
    host = parts.hostname or "127.0.0.1"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}:{parts.port or 5672}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True)
class Received:
    """One delivered message, as a recipient sees it."""

    queue: str
    routing_key: str
    message_id: str | None
    delivery_mode: int | None
    headers: dict[str, Any]
    envelope: Envelope

    @property
    def event_id(self) -> UUID:
        return self.envelope.event_id


class Inbox:
    """Consume recipients' queues (acking everything) and keep what arrived, in arrival order."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._connections: list[aio_pika.abc.AbstractConnection] = []
        self.received: list[Received] = []

    async def purge(self, queues: Iterable[str]) -> None:
        """Empty the queues as the vhost admin (other sessions' leftovers must not interfere)."""
        connection = await aio_pika.connect(amqp_url(self._settings, ADMIN))
        try:
            channel = await connection.channel()
            for name in queues:
                queue = await channel.get_queue(name, ensure=False)
                await queue.purge()
        finally:
            await connection.close()

    async def listen(self, queue_name: str) -> None:
        """Consume one queue as its recipient's broker user."""
        connection = await aio_pika.connect(amqp_url(self._settings, QUEUE_USERS[queue_name]))
        self._connections.append(connection)
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=200)
        queue = await channel.get_queue(queue_name, ensure=False)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            try:
                envelope = Envelope.model_validate_json(message.body)
            except ValueError:  # not an envelope: another session's test message; not ours
                await message.ack()
                return
            self.received.append(
                Received(
                    queue=queue_name,
                    routing_key=message.routing_key or "",
                    message_id=message.message_id,
                    delivery_mode=int(message.delivery_mode) if message.delivery_mode else None,
                    headers=dict(message.headers),
                    envelope=envelope,
                )
            )
            await message.ack()

        await queue.consume(on_message)

    def of(self, change_ids: Iterable[UUID | str], queue: str | None = None) -> list[Received]:
        """The messages about these changes (optionally in one queue), in arrival order."""
        wanted = {UUID(str(c)) for c in change_ids}
        return [
            r
            for r in self.received
            if r.envelope.change_id in wanted and (queue is None or r.queue == queue)
        ]

    async def close(self) -> None:
        for connection in self._connections:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(connection.close(), 10)


@pytest.fixture
async def inbox(settings: Settings) -> AsyncIterator[Inbox]:
    """Purge the recipients' queues, then let the test consume them."""
    box = Inbox(settings)
    await box.purge(QUEUE_USERS)
    try:
        yield box
    finally:
        await box.close()


# ---- relay side ----------------------------------------------------------------------------------
def relay_config(settings: Settings) -> RelayConfig:
    """The relay's configuration from the settings, polling faster so tests stay short."""
    return RelayConfig(
        database_url=settings.database_url.get_secret_value(),
        amqp_url=settings.amqp_url.get_secret_value(),
        poll_seconds=POLL_SECONDS,
        batch_size=settings.relay_batch_size,
        retry_seconds=0.2,
    )


StartRelay = Callable[[], tuple[OutboxRelay, "asyncio.Task[None]"]]


@pytest.fixture
async def start_relay(settings: Settings, registry: Registry) -> AsyncIterator[StartRelay]:
    """Start relays as tasks of the test's event loop; cancel them all at the end."""
    tasks: list[asyncio.Task[None]] = []

    def start() -> tuple[OutboxRelay, asyncio.Task[None]]:
        relay = OutboxRelay(relay_config(settings), registry.vault, registry.clock)
        task = asyncio.create_task(relay.run_forever())
        tasks.append(task)
        return relay, task

    try:
        yield start
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def outbox_rows(connection: Any, change_ids: Iterable[str | UUID]) -> list[Any]:
    """The outbox rows of these changes, in id order (as the schema owner)."""
    rows: list[Any] = await connection.fetch(
        """
        SELECT id, event_id, change_id, recipient, routing_key, person_key, seq, published_at
          FROM registry.outbox WHERE change_id = ANY ($1::uuid[]) ORDER BY id
        """,
        [UUID(str(c)) for c in change_ids],
    )
    return rows


def all_published(connection: Any, change_ids: list[str]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        rows = await outbox_rows(connection, change_ids)
        return bool(rows) and all(r["published_at"] is not None for r in rows)

    return check


def arrived(inbox: Inbox, rows: list[Any], queues: Iterable[str]) -> Callable[[], bool]:
    """True once every row routed to one of the queues was received at least once."""
    prefixes = tuple(q.removesuffix(".events") + "." for q in queues)
    wanted = {r["event_id"] for r in rows if r["routing_key"].startswith(prefixes)}
    return lambda: wanted <= {m.event_id for m in inbox.received}


def first_copies(messages: list[Received]) -> list[Received]:
    """Drop redeliveries: keep the first copy of each event id, in arrival order."""
    seen: set[UUID] = set()
    kept = []
    for m in messages:
        if m.event_id not in seen:
            seen.add(m.event_id)
            kept.append(m)
    return kept


def seqs_by_person(messages: list[Received]) -> dict[str, list[int]]:
    by_person: dict[str, list[int]] = defaultdict(list)
    for m in messages:
        by_person[m.envelope.person_key].append(m.envelope.seq)
    return dict(by_person)


# ---- tests ---------------------------------------------------------------------------------------
async def test_an_approved_family_move_in_is_published_to_its_recipients(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
) -> None:
    for queue in ("cs.events", "certificates.events", "koseki.events"):
        await inbox.listen(queue)
    start_relay()
    members = family()
    members[2] = {**members[2], "honseki": OUTSIDE_HONSEKI}  # 一郎's 本籍 is outside the ward
    pending = await submit(client, token, move_in(*members))
    response = await client.post(  # the reviewer's request carries a W3C trace context
        f"/changes/{pending['change_id']}/approve",
        headers={**auth(token, REVIEWER, "reviewer"), "traceparent": TRACEPARENT},
    )
    assert response.status_code == 200, response.text
    change = response.json()
    change_id = change["change_id"]
    atena_nos = set(change["subjects"])
    assert len(atena_nos) == 3

    await eventually(all_published(owner_connection, [change_id]), what="the rows marked published")
    rows = await outbox_rows(owner_connection, [change_id])
    queues = ("cs.events", "certificates.events", "koseki.events")
    await eventually(arrived(inbox, rows, queues), what="every message of the move-in")

    messages = inbox.of([change_id])
    assert {m.event_id for m in messages} == {
        r["event_id"] for r in rows if r["recipient"] in {"cs", "certificates", "koseki"}
    }
    assert len(messages) == len({m.event_id for m in messages}), "no duplicates in a calm run"
    for m in messages:
        assert m.message_id == str(m.envelope.event_id)
        assert m.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
        assert m.headers[PERSON_KEY_HEADER] == m.envelope.person_key
        assert m.envelope.schema_id == f"{m.routing_key}@1"
        assert m.queue == m.routing_key.split(".")[0] + ".events"
        parse_payload(m.envelope, MESSAGE_MODELS[m.routing_key])  # extra="forbid" models
        assert m.envelope.person_key not in atena_nos
        assert not any(atena_no in m.envelope.person_key for atena_no in atena_nos)
        assert str(m.envelope.change_id) == change_id
        assert m.envelope.kind.value == "domestic_move_in"
        # the publish continues the approving request's trace (W3C trace context headers)
        assert m.headers["traceparent"].split("-")[1] == TRACE_ID

    certificates = inbox.of([change_id], "certificates.events")
    record_of = {m.envelope.person_key: m.envelope.payload for m in certificates}
    assert {p["atena_no"] for p in record_of.values()} == atena_nos  # one record per person
    given_name = {key: payload["given_name"] for key, payload in record_of.items()}
    for queue in queues:
        for key, seqs in seqs_by_person(inbox.of([change_id], queue)).items():
            assert seqs == list(range(1, len(seqs) + 1)), (queue, given_name[key], seqs)

    koseki = inbox.of([change_id], "koseki.events")
    assert sorted(given_name[m.envelope.person_key] for m in koseki) == ["太郎", "花子"]
    assert all(m.envelope.payload["honseki"].startswith("東京都新宿区") for m in koseki)
    cs = inbox.of([change_id], "cs.events")
    assert sorted(
        given_name[m.envelope.person_key] for m in cs if m.routing_key == "cs.identity"
    ) == [
        "一郎",
        "太郎",
        "花子",
    ]
    fuhyo = [m for m in cs if m.routing_key == "cs.fuhyo_notice"]
    assert [given_name[m.envelope.person_key] for m in fuhyo] == ["一郎"]
    assert fuhyo[0].envelope.payload["honseki"] == OUTSIDE_HONSEKI


async def test_a_pending_change_writes_no_outbox_row_and_sends_nothing(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
) -> None:
    for queue in QUEUE_USERS:
        await inbox.listen(queue)
    start_relay()
    pending = await submit(client, token, move_in(*family()))
    assert await owner_connection.fetchval("SELECT count(*) FROM registry.outbox") == 0

    # A later approved change is the marker: once it has arrived, the relay had its chance.
    marker = await enter_and_approve(
        client,
        token,
        move_in(person("佐藤", "次郎", "サトウ", "ジロウ"), address=OTHER_WARD_ADDRESS),
    )
    await eventually(
        all_published(owner_connection, [marker["change_id"]]), what="the marker published"
    )
    rows = await outbox_rows(owner_connection, [marker["change_id"]])
    await eventually(arrived(inbox, rows, QUEUE_USERS), what="the marker's messages")

    assert await outbox_rows(owner_connection, [pending["change_id"]]) == []
    assert inbox.of([pending["change_id"]]) == []
    counts = await owner_connection.fetchrow(
        "SELECT count(*) AS n, count(DISTINCT change_id) AS changes FROM registry.outbox"
    )
    assert counts["changes"] == 1
    assert counts["n"] == len(rows)


async def test_a_domestic_move_out_sends_cs_its_certificate_once_approved_and_not_before(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
) -> None:
    await inbox.listen("cs.events")
    start_relay()
    members = await by_given_name(
        client, token, await enter_and_approve(client, token, move_in(*family()))
    )
    planned = date.today() + timedelta(days=10)  # filed in advance: the 転出予定日 lies ahead
    pending = await submit(
        client,
        token,
        {
            "kind": "domestic_move_out",
            "occurred_on": planned.isoformat(),
            "notified_on": date.today().isoformat(),
            "atena_nos": [members["太郎"]["atena_no"], members["花子"]["atena_no"]],
            "destination": MOVE_OUT_DESTINATION,
        },
    )
    change_id = pending["change_id"]
    assert await outbox_rows(owner_connection, [change_id]) == [], "仮登録 reaches nobody"

    await approve(client, token, change_id)
    await eventually(all_published(owner_connection, [change_id]), what="the move-out published")
    rows = await outbox_rows(owner_connection, [change_id])
    await eventually(arrived(inbox, rows, ["cs.events"]), what="the move-out's cs messages")

    certificates = [
        m for m in inbox.of([change_id], "cs.events") if m.routing_key == "cs.moveout_certificate"
    ]
    payloads = [parse_payload(m.envelope, CsMoveOutCertificate) for m in certificates]
    assert sorted(p.given_name for p in payloads) == ["太郎", "花子"], "not 一郎, who stays"
    assert {m.envelope.kind for m in certificates} == {ChangeKind.DOMESTIC_MOVE_OUT}
    for payload in payloads:
        assert payload.destination == MOVE_OUT_DESTINATION
        assert payload.planned_on == planned
        assert payload.address == WARD_ADDRESS_TEXT
        assert payload.head_name == "山田\u3000太郎"
    identity_seq = {
        m.envelope.person_key: m.envelope.seq
        for m in inbox.of([change_id], "cs.events")
        if m.routing_key == "cs.identity"
    }
    for m in certificates:  # one per-person sequence for all of CS's messages
        assert m.envelope.seq == identity_seq[m.envelope.person_key] + 1


async def test_a_standby_relay_takes_over_when_the_leader_dies(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
) -> None:
    await inbox.listen("certificates.events")
    first, first_task = start_relay()
    second, second_task = start_relay()
    await eventually(lambda: first.is_leader or second.is_leader, what="a leader")
    await asyncio.sleep(3 * POLL_SECONDS)  # the standby has tried the lock a few times by now
    assert [first.is_leader, second.is_leader].count(True) == 1
    leader, leader_task, standby = (
        (first, first_task, second) if first.is_leader else (second, second_task, first)
    )

    before = await enter_and_approve(client, token, move_in(person()))
    await eventually(
        all_published(owner_connection, [before["change_id"]]), what="the first change"
    )
    assert leader.is_leader
    assert not standby.is_leader

    leader_task.cancel()  # its connection closes, which releases the advisory lock
    with pytest.raises(asyncio.CancelledError):
        await leader_task
    assert not leader.is_leader, "a stopped relay no longer claims leadership"

    after = [
        await enter_and_approve(
            client,
            token,
            move_in(
                person("佐藤", given, "サトウ", kana, birth_date=f"199{i}-02-03"),
                address=OTHER_WARD_ADDRESS,
            ),
        )
        for i, (given, kana) in enumerate([("次郎", "ジロウ"), ("三郎", "サブロウ")])
    ]
    after_ids = [c["change_id"] for c in after]
    started = time.monotonic()
    await eventually(
        all_published(owner_connection, after_ids), what="the standby to publish", within=10.0
    )
    took = time.monotonic() - started
    assert standby.is_leader
    assert [first.is_leader, second.is_leader].count(True) == 1
    assert took < 5 * POLL_SECONDS + 2.0, f"takeover took {took:.1f}s"
    rows = await outbox_rows(owner_connection, after_ids)
    await eventually(arrived(inbox, rows, ["certificates.events"]), what="the standby's messages")
    assert len(inbox.of(after_ids, "certificates.events")) == 2


async def test_a_crash_between_confirm_and_mark_republishes_in_order_and_loses_nothing(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Three changes per person before the relay starts, so one batch holds seq 1..3 of each.
    move = await enter_and_approve(client, token, move_in(*family()))
    people = sorted(move["subjects"])
    changes = [move]
    for i, address in enumerate([OTHER_WARD_ADDRESS, WARD_ADDRESS]):
        day = date(2025, 1, 10) + timedelta(days=i)
        body = move_within_ward(
            people, address=address, occurred_on=day.isoformat(), notified_on=day.isoformat()
        )
        changes.append(await enter_and_approve(client, token, body))
    change_ids = [c["change_id"] for c in changes]

    real_mark = Outbox.mark_published
    calls = 0

    async def crash_once(self: Outbox, ids: list[int], *, at: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionResetError("the relay died after the broker confirmed")
        await real_mark(self, ids, at=at)

    monkeypatch.setattr(Outbox, "mark_published", crash_once)
    await inbox.listen("cs.events")
    await inbox.listen("certificates.events")
    start_relay()

    await eventually(all_published(owner_connection, change_ids), what="the rows marked published")
    assert calls >= 2
    rows = await outbox_rows(owner_connection, change_ids)
    queues = ("cs.events", "certificates.events")
    expected = {r["event_id"] for r in rows if r["recipient"] in {"cs", "certificates"}}

    def twice() -> bool:
        counts: dict[UUID, int] = defaultdict(int)
        for m in inbox.of(change_ids):
            counts[m.event_id] += 1
        return all(counts[e] >= 2 for e in expected)

    await eventually(twice, what="every message to arrive twice")
    await asyncio.sleep(3 * POLL_SECONDS)  # nothing more should come
    for queue in queues:
        messages = inbox.of(change_ids, queue)
        assert {m.event_id for m in messages} == {
            r["event_id"] for r in rows if r["recipient"] == queue.removesuffix(".events")
        }
        by_person: dict[str, list[Received]] = defaultdict(list)
        for m in messages:
            by_person[m.envelope.person_key].append(m)
        for key, delivered in by_person.items():
            ids = [m.event_id for m in delivered]
            half = len(ids) // 2
            assert len(ids) == 2 * half, (queue, key, "every message exactly twice")
            first, second = ids[:half], ids[half:]
            assert first == second, (queue, key, "the republished copies in the same order")
            assert [m.envelope.seq for m in delivered[:half]] == list(range(1, half + 1))


async def test_twenty_quick_changes_of_one_person_arrive_in_seq_order(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
) -> None:
    await inbox.listen("cs.events")
    start_relay()
    coded = person(juminhyo_code=juminhyo_code("3200000001"))  # CS hears only of a coded person
    move = await enter_and_approve(client, token, move_in(coded))
    changes = [move]
    for i in range(19):  # 転居 back and forth, each approved right after the last
        day = date(2025, 1, 1) + timedelta(days=i)
        body = move_within_ward(
            move["subjects"],
            address=OTHER_WARD_ADDRESS if i % 2 == 0 else WARD_ADDRESS,
            occurred_on=day.isoformat(),
            notified_on=day.isoformat(),
        )
        changes.append(await enter_and_approve(client, token, body))
    change_ids = [c["change_id"] for c in changes]

    await eventually(all_published(owner_connection, change_ids), what="the rows marked published")
    rows = await outbox_rows(owner_connection, change_ids)
    await eventually(arrived(inbox, rows, ["cs.events"]), what="every cs message")
    identity = first_copies(inbox.of(change_ids, "cs.events"))
    assert len({m.envelope.person_key for m in identity}) == 1
    assert [m.envelope.seq for m in identity] == list(range(1, 21))
    assert [str(m.envelope.change_id) for m in identity] == change_ids  # one per change, in order
