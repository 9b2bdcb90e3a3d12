"""The broker side of the kit, on FastStream: consume with manual acks, publish retries and dead letters.

FastStream (with `RabbitTelemetryMiddleware`) rather than bare aio-pika, because docs/architecture.md
traces every hop through FastStream: the consume span continues the trace the registry's relay
started (its ``traceparent`` header) and the retry/dead-letter publishes carry it on. Nothing is
declared (`declare=False` = passive): the adapters' broker users may not configure anything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from aio_pika import IncomingMessage
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy
from faststream.rabbit import Channel, ExchangeType, RabbitBroker, RabbitExchange, RabbitQueue
from faststream.rabbit.message import RabbitMessage
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware
from jumin_contracts.envelope import Envelope
from opentelemetry import trace
from opentelemetry.context import get_current
from pydantic import ValidationError

from jumin_platform.consumer.acks import Settler
from jumin_platform.consumer.batching import Batcher
from jumin_platform.consumer.messages import (
    ATTEMPT_HEADER,
    DEAD_REASON_HEADER,
    ROUTING_KEY_HEADER,
    TRACEPARENT,
    Incoming,
    describe_validation_error,
)
from jumin_platform.consumer.processing import Outcome, Processor, Verdict
from jumin_platform.topology import (
    DEAD_LETTER_EXCHANGE,
    PERSON_KEY_HEADER,
    RETRY_EXCHANGE,
    Recipient,
)

__all__ = ["BrokerOutlet", "Subscription", "make_broker", "read_incoming", "subscribe_manually"]

logger = logging.getLogger(__name__)

#: At most this many deliveries share a transaction (each handler's savepoint is a subtransaction;
#: PostgreSQL keeps up to 64 per transaction in shared memory before snapshots get slower).
MAX_BATCH = 32
#: A batch smaller than the prefetch window waits this long for the deliveries its acks release:
#: measured with bench/pipeline at prefetch 8, batches grow from ~4 to ~7 messages.
BATCH_LINGER_SECONDS = 0.001

#: Headers the broker writes when it dead-letters; a republished message starts without them.
BROKER_HEADERS = frozenset(
    {
        "x-death",
        "x-first-death-exchange",
        "x-first-death-queue",
        "x-first-death-reason",
        "x-last-death-exchange",
        "x-last-death-queue",
        "x-last-death-reason",
        "x-delivery-count",
    }
)


def make_broker(amqp_url: str, *, prefetch: int) -> RabbitBroker:
    """Build a FastStream broker: small prefetch, publisher confirms, unroutable publishes raise.

    FastStream's per-message "Received"/"Processed" lines go out at DEBUG, not INFO: at INFO they
    cost a formatted, coloured stderr write per line, twice per message (measured by
    bench/pipeline); the kit logs each applied event itself, and errors are still logged.
    """
    channel = Channel(prefetch_count=prefetch, publisher_confirms=True, on_return_raises=True)
    return RabbitBroker(
        amqp_url,
        default_channel=channel,
        middlewares=[RabbitTelemetryMiddleware()],
        graceful_timeout=30.0,
        log_level=logging.DEBUG,
        apply_types=False,  # the handler takes the message as is: no FastDepends per message
    )


def subscribe_manually(
    broker: RabbitBroker, queue: str, handler: Callable[[RabbitMessage], Awaitable[None]]
) -> None:
    """Consume an existing queue (passive: nothing declared), handing `handler` each message
    itself, body undecoded; the handler settles it (manual acks)."""
    subscriber = broker.subscriber(
        RabbitQueue(queue, declare=False), ack_policy=AckPolicy.MANUAL, decoder=_the_message_itself
    )
    subscriber(handler)


def read_incoming(raw: IncomingMessage) -> Incoming | None:
    """Read the envelope and the kit's headers; None when the body is no valid envelope."""
    try:
        envelope = Envelope.model_validate_json(raw.body)
    except ValidationError as exc:
        reason = describe_validation_error(exc)
        logger.error("message %s is no valid envelope: %s", raw.message_id, reason)
        return None
    headers = raw.headers or {}
    return Incoming(
        envelope,
        routing_key=str(headers.get(ROUTING_KEY_HEADER) or raw.routing_key or ""),
        attempt=_int(headers.get(ATTEMPT_HEADER)),
        traceparent=_str(headers.get(TRACEPARENT)),
        raw=raw.body,
    )


class BrokerOutlet:
    """Publish to `jumin.retry` and `jumin.dlx` under the recipient's own routing keys."""

    def __init__(
        self, broker: RabbitBroker, recipient: Recipient, *, retry_delays: Sequence[int]
    ) -> None:
        self._broker = broker
        self._recipient = recipient
        self._shortest_delay = min(retry_delays)
        self._retry = RabbitExchange(RETRY_EXCHANGE, type=ExchangeType.TOPIC, declare=False)
        self._dead = RabbitExchange(DEAD_LETTER_EXCHANGE, type=ExchangeType.TOPIC, declare=False)

    async def retry(self, message: Incoming, *, attempt: int, delay: int) -> None:
        """Send the message to the wait queue for `delay` seconds, counting the attempt."""
        headers = self._headers(message, {ATTEMPT_HEADER: attempt})
        await self.publish_raw(
            message.body(),
            headers,
            message_id=str(message.event_id),
            exchange=self._retry,
            routing_key=self._recipient.retry_queue(delay),
        )

    async def dead_letter(self, message: Incoming, *, reason: str) -> None:
        """Put the message into `<r>.dead` (for messages with no delivery to reject)."""
        headers = self._headers(message, {DEAD_REASON_HEADER: reason[:500]})
        await self.publish_raw(
            message.body(),
            headers,
            message_id=str(message.event_id),
            exchange=self._dead,
            routing_key=message.routing_key,
        )

    async def resend(
        self, body: bytes, headers: Mapping[str, Any], *, message_id: str, routing_key: str
    ) -> None:
        """Return a dead letter to the main flow through the shortest wait queue, retries reset."""
        fresh = {k: v for k, v in headers.items() if k not in BROKER_HEADERS}
        fresh.pop(DEAD_REASON_HEADER, None)
        fresh.update({ATTEMPT_HEADER: 0, ROUTING_KEY_HEADER: routing_key})
        await self.publish_raw(
            body,
            fresh,
            message_id=message_id,
            exchange=self._retry,
            routing_key=self._recipient.retry_queue(self._shortest_delay),
        )

    async def publish_raw(
        self,
        body: bytes,
        headers: Mapping[str, Any],
        *,
        message_id: str,
        exchange: RabbitExchange,
        routing_key: str,
    ) -> None:
        """Publish persistent and mandatory; wait for the broker's confirm."""
        await self._broker.publish(
            body,
            exchange=exchange,
            routing_key=routing_key,
            persist=True,
            mandatory=True,
            message_id=message_id,
            content_type="application/json",
            headers=dict(headers),
        )

    def _headers(self, message: Incoming, extra: Mapping[str, Any]) -> dict[str, Any]:
        return {
            PERSON_KEY_HEADER: message.person_key,
            ROUTING_KEY_HEADER: message.routing_key,
            **extra,
        }


class Subscription:
    """Consume the recipient's queues: process each message, settle it with the broker, drain."""

    def __init__(
        self,
        *,
        processor: Processor,
        outlet: BrokerOutlet,
        recipient: Recipient,
        requeue_delay: float = 1.0,
        prefetch: int = 32,
    ) -> None:
        self._processor = processor
        window = prefetch * len(recipient.consumer_queues)
        self._batches = Batcher(
            processor.consume_batch, max_batch=min(window, MAX_BATCH), linger=BATCH_LINGER_SECONDS
        )
        self._outlet = outlet
        self._recipient = recipient
        self._requeue_delay = requeue_delay
        self._settler = Settler()

    def attach(self, broker: RabbitBroker) -> None:
        """Subscribe to every consumer queue of the recipient (one, or N partitions)."""
        for name in self._recipient.consumer_queues:
            subscribe_manually(broker, name, self.on_message)

    async def on_message(self, message: RabbitMessage) -> None:
        """Handle one delivery; never let an exception escape unsettled."""
        incoming = read_incoming(message.raw_message)
        if incoming is None:
            await self._settler.nack(message)
            return
        _annotate(incoming, self._recipient.name)
        try:
            outcome = await self._batches.submit(replace(incoming, trace_context=get_current()))
            if outcome.verdict is Verdict.REQUEUE:  # the handler raised something unexpected
                await self._requeue(message)
                return
            await self._settle(message, incoming, outcome)
        except Exception as exc:  # an outage or a bug: back off, let the delivery limit decide
            kind = type(exc).__name__
            logger.error("event %s: %s; returned to the queue", incoming.event_id, kind)
            await self._requeue(message)
            return
        if outcome.should_drain:
            await self.drain(incoming.person_key)

    async def _requeue(self, message: RabbitMessage) -> None:
        """Return the delivery to the queue after a pause; it counts towards the delivery limit.

        `basic.reject`, not `basic.nack`: from RabbitMQ 4.3 a requeueing nack no longer counts
        towards a quorum queue's delivery limit, so a message failing for ever would never be
        dead-lettered (and its person's later messages would stay parked behind it).
        """
        await asyncio.sleep(self._requeue_delay)
        await self._settler.reject(message)

    async def drain(self, person_key: str) -> None:
        """Apply parked successors; on failure they stay parked for the next message or restart."""
        try:
            await self._processor.drain(person_key)
        except Exception as exc:
            logger.error("draining parked messages failed: %s", type(exc).__name__)

    async def _settle(self, message: RabbitMessage, incoming: Incoming, outcome: Outcome) -> None:
        trace.get_current_span().set_attribute("jumin.decision", outcome.decision.value)
        if outcome.verdict is Verdict.RETRY and outcome.delay is not None:
            await self._outlet.retry(incoming, attempt=outcome.attempt, delay=outcome.delay)
        if outcome.verdict is Verdict.DEAD:
            await self._settler.nack(message)
        else:
            await self._settler.ack(message)  # with the rest of its batch, as one ack if it can


async def _the_message_itself(message: StreamMessage[Any]) -> StreamMessage[Any]:
    """Hand the handler the message itself, body undecoded (`read_incoming` validates it and
    settles what it cannot read).

    Performance, measured by bench/pipeline: taking the message through FastStream's
    `Context("message")` (the `RabbitMessage` annotation) resolves it in a worker thread, and a
    plain-function decoder runs in one too — a thread hop per message each; a coroutine decoder
    passing the message on as the "body" needs none.
    """
    return message


def _annotate(incoming: Incoming, recipient: str) -> None:
    """Put ids (never personal data) on the consume span."""
    trace.get_current_span().set_attributes(
        {
            "jumin.event_id": str(incoming.event_id),
            "jumin.change_id": str(incoming.envelope.change_id),
            "jumin.recipient": recipient,
            "jumin.kind": incoming.envelope.kind.value,
            "jumin.seq": incoming.seq,
            "jumin.attempt": incoming.attempt,
        }
    )


def _int(value: object) -> int:
    try:
        return int(value) if isinstance(value, int | str | bytes) else 0
    except ValueError:
        return 0


def _str(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value if isinstance(value, str) else None
