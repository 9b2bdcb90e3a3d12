"""The consume span continues the relay's trace, and each handler runs under its own message's span.

Messages of several people published at once reach the kit together and are applied in one batch
(one transaction); the adapter's own spans (e.g. its call to the external system) must still sit
in the trace of the message they handle, under that message's consume span.
"""

from __future__ import annotations

from typing import Any

import aio_pika
import pytest
from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import MESSAGE_MODELS, RecipientMessage
from jumin_platform.consumer import ConsumerKit
from jumin_platform.topology import EVENTS_EXCHANGE, PERSON_KEY_HEADER
from jumin_testing.waiting import eventually
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .conftest import (
    DATABASE_URL,
    RECIPIENT,
    ROUTING_KEY,
    Registry,
    Sandbox,
    envelope,
    person,
)

MESSAGES = 12


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    """Finished spans of this process (a tracer provider is installed once per process)."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


def traceparent(n: int) -> tuple[str, str]:
    """A relay-side traceparent per message: (header, trace id in hex)."""
    trace_id = f"{n + 1:032x}"
    return f"00-{trace_id}-{n + 1:016x}-01", trace_id


async def test_each_handler_runs_in_its_own_messages_trace(
    kit_schema: str, sandbox: Sandbox, registry: Registry, spans: InMemorySpanExporter
) -> None:
    tracer = trace.get_tracer("test.adapter")
    handled: list[str] = []

    async def deliver(envelope: Envelope, payload: RecipientMessage, connection: Any) -> None:
        with tracer.start_as_current_span("deliver to koseki") as span:
            span.set_attribute("jumin.event_id", str(envelope.event_id))
        handled.append(str(envelope.event_id))

    kit = ConsumerKit(
        recipient=RECIPIENT,
        schema=kit_schema,
        amqp_url=sandbox.url(sandbox.topology.recipient(RECIPIENT).user),
        database_url=DATABASE_URL,
        handler=deliver,
        models=MESSAGE_MODELS,
        topology=sandbox.topology,
    )
    expected: dict[str, str] = {}  # event id → trace id
    exchange = await registry.channel.get_exchange(EVENTS_EXCHANGE, ensure=False)
    for n in range(MESSAGES):
        sent = envelope(person(), 1)
        header, trace_id = traceparent(n)
        expected[str(sent.event_id)] = trace_id
        message = aio_pika.Message(
            sent.model_dump_json(by_alias=True).encode(),
            message_id=str(sent.event_id),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={PERSON_KEY_HEADER: sent.person_key, "traceparent": header},
        )
        await exchange.publish(message, ROUTING_KEY, mandatory=True)

    await kit.start()  # all are waiting: they arrive together and share transactions
    try:
        await eventually(lambda: _count(handled), until=lambda n: n == MESSAGES, what="all handled")
    finally:
        await kit.stop()

    finished = spans.get_finished_spans()
    deliveries = [s for s in finished if s.name == "deliver to koseki"]
    consumes = {s.context.span_id: s for s in finished if s.kind is trace.SpanKind.CONSUMER}
    assert len(deliveries) == MESSAGES
    for span in deliveries:
        event_id = str(_attr(span, "jumin.event_id"))
        assert f"{span.context.trace_id:032x}" == expected[event_id]
        assert span.parent is not None
        consume = consumes[span.parent.span_id]
        assert _attr(consume, "jumin.event_id") == event_id


async def _count(items: list[str]) -> int:
    return len(items)


def _attr(span: ReadableSpan, name: str) -> object:
    return (span.attributes or {}).get(name)
