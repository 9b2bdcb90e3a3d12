"""Read `<r>.dead` without losing anything: basic.get, hold, then give back or remove one.

The adapter's broker user may read its dead queue but not purge or configure it, and it has no
management-API access; so listing gets every message unacknowledged (up to a limit) and closes the
channel, which returns them all to the queue. Taking one acknowledges only that message, and only
when the caller's block succeeded (its resend was confirmed, or its skip committed).

Plain aio-pika is used here, uninstrumented (docs/architecture.md: FastStream is the traced client):
browsing is an operator's read, and the publishes that follow go through the traced broker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from jumin_contracts.envelope import Envelope
from pydantic import ValidationError

from jumin_platform.consumer.messages import DEAD_REASON_HEADER, ROUTING_KEY_HEADER

__all__ = ["DeadLetter", "DeadLetterQueue"]

#: Scan at most this many messages when looking for one (held unacknowledged meanwhile).
MAX_SCAN = 10_000


@dataclass(frozen=True)
class DeadLetter:
    """One message in `<r>.dead`, with what its headers say about how it got there."""

    message_id: str
    envelope: Envelope | None
    routing_key: str
    reason: str
    detail: str | None
    queue: str | None
    died_at: datetime | None
    body: bytes
    headers: Mapping[str, Any]

    @property
    def event_id(self) -> UUID | None:
        return self.envelope.event_id if self.envelope else _uuid(self.message_id)

    @property
    def person_key(self) -> str | None:
        return self.envelope.person_key if self.envelope else _text(self.headers.get("person-key"))

    @property
    def seq(self) -> int | None:
        return self.envelope.seq if self.envelope else None


class DeadLetterQueue:
    """Browse and take messages of one dead-letter queue over a short-lived connection."""

    def __init__(self, amqp_url: str, queue: str) -> None:
        self._url = amqp_url
        self.name = queue

    async def browse(self, limit: int) -> list[DeadLetter]:
        """Return up to `limit` dead letters, oldest first; all stay in the queue."""
        async with self._queue() as queue:
            letters: list[DeadLetter] = []
            while len(letters) < limit and (message := await _get(queue)) is not None:
                letters.append(_describe(message))
            return letters

    @asynccontextmanager
    async def take(self, event_id: UUID) -> AsyncIterator[DeadLetter | None]:
        """Yield the dead letter of `event_id` (or None); remove it if the block exits normally."""
        async with self._queue() as queue:
            found = await _find(queue, event_id)
            if found is None:
                yield None
                return
            message, letter = found
            yield letter
            await message.ack()

    @asynccontextmanager
    async def _queue(self) -> AsyncIterator[AbstractQueue]:
        # Closing the channel returns every unacknowledged message to the queue.
        connection = await aio_pika.connect(self._url)
        async with connection:
            channel = await connection.channel(publisher_confirms=False)
            yield await channel.get_queue(self.name, ensure=False)


async def _get(queue: AbstractQueue) -> AbstractIncomingMessage | None:
    return await queue.get(no_ack=False, fail=False)


async def _find(
    queue: AbstractQueue, event_id: UUID
) -> tuple[AbstractIncomingMessage, DeadLetter] | None:
    for _ in range(MAX_SCAN):
        message = await _get(queue)
        if message is None:
            return None
        letter = _describe(message)
        if letter.event_id == event_id:
            return message, letter
    return None


def _describe(message: AbstractIncomingMessage) -> DeadLetter:
    headers: Mapping[str, Any] = message.headers or {}
    death = _last_death(headers)
    try:
        envelope: Envelope | None = Envelope.model_validate_json(message.body)
    except ValidationError:
        envelope = None
    own_reason = _text(headers.get(DEAD_REASON_HEADER))
    return DeadLetter(
        message_id=message.message_id or "",
        envelope=envelope,
        routing_key=_text(headers.get(ROUTING_KEY_HEADER)) or message.routing_key or "",
        reason=_text(death.get("reason")) or ("consumer" if own_reason else "unknown"),
        detail=own_reason,
        queue=_text(death.get("queue")),
        died_at=death.get("time") if isinstance(death.get("time"), datetime) else None,
        body=message.body,
        headers=headers,
    )


def _last_death(headers: Mapping[str, Any]) -> Mapping[str, Any]:
    """The newest x-death entry (the broker puts it first), or {} for a message we published."""
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], Mapping):
        return deaths[0]
    return {}


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value if isinstance(value, str) and value else None


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
