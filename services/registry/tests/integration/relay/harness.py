"""For the relay tests: the recipients' queues read as their own broker users (`Inbox`), the relay's
configuration, and queries of the outbox (fixtures: conftest.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from uuid import UUID

import aio_pika
import aio_pika.abc
from jumin_contracts.envelope import Envelope
from jumin_platform.topology import Topology
from registry.config import Settings
from registry.entrypoints.relay import OutboxRelay, RelayConfig

ADMIN = "jumin_admin"
QUEUE_USERS = {
    "cs.events": "jumin_cs_adapter",
    "koseki.events": "jumin_koseki_adapter",
    "certificates.events": "jumin_certificates",
    "intermediate.events": "jumin_intermediate_server",
}
POLL_SECONDS = 0.3


# ---- broker side--------------------------------------------------------------------------------


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
