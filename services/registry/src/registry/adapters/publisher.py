"""Publish outbox rows to RabbitMQ: persistent, mandatory, each awaited for its publisher confirm."""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange
from jumin_platform.telemetry import context_from, inject_headers
from opentelemetry import trace

from registry.adapters.outbox import PendingPublication

EVENTS_EXCHANGE = "jumin.events"
tracer = trace.get_tracer("registry.relay")


class EventPublisher:
    """Publish to ``jumin.events`` with confirms; unroutable messages raise instead of vanishing."""

    def __init__(self, amqp_url: str) -> None:
        self._url = amqp_url
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None

    async def open(self) -> None:
        """Connect; the exchange is declared by provisioning (the registry may not configure)."""
        connection = await aio_pika.connect(self._url)
        self._connection = connection
        self._channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await self._channel.get_exchange(EVENTS_EXCHANGE, ensure=False)

    async def close(self) -> None:
        """Close the connection."""
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = self._exchange = None

    async def publish(self, row: PendingPublication) -> None:
        """Publish one row under the trace of the request that approved its change."""
        assert self._exchange is not None, "open() first"
        attributes: dict[str, Any] = {
            "messaging.system": "rabbitmq",
            "messaging.destination.name": EVENTS_EXCHANGE,
            "messaging.rabbitmq.destination.routing_key": row.routing_key,
            "messaging.message.id": str(row.event_id),
            "jumin.seq": row.seq,
        }
        with tracer.start_as_current_span(
            f"{EVENTS_EXCHANGE} publish",
            context=context_from(row.traceparent),
            kind=trace.SpanKind.PRODUCER,
            attributes=attributes,
        ):
            message = aio_pika.Message(
                row.body,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=str(row.event_id),
                headers=dict(inject_headers({"person-key": row.person_key})),
            )
            await self._exchange.publish(message, routing_key=row.routing_key, mandatory=True)

    async def publish_batch(
        self, rows: list[PendingPublication]
    ) -> tuple[list[int], BaseException | None]:
        """Publish rows in id order, pipelined; return the confirmed ids and the first failure.

        A row that failed stays unpublished and is retried later, possibly after rows behind it:
        consumers order by ``seq`` per person and park a message until the gap before it is filled.
        """
        results = await asyncio.gather(*(self.publish(row) for row in rows), return_exceptions=True)
        confirmed = [row.id for row, result in zip(rows, results, strict=True) if result is None]
        failures = [r for r in results if isinstance(r, BaseException)]
        return confirmed, failures[0] if failures else None
