"""One trace from the approving request through SQL and the relay's publish; no personal data in it.

The consumer's span (FastStream's telemetry middleware in each adapter) continues the same trace
from the W3C headers checked here; the adapters' own tests follow it further.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import httpx
import pytest
from jumin_platform.telemetry import _instrument_asyncpg
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from registry.bootstrap import ward_now
from registry.config import Settings
from registry.entrypoints.relay import OutboxRelay, RelayConfig

from .helpers import TokenFactory, enter_and_approve, juminhyo_code, move_in, my_number, person

ADMIN_URL = "amqp://jumin_admin:jumin_admin@127.0.0.1:5672/jumin"
QUEUE = "cs.events"

SECRET_NAME = ("鷹司", "綾音", "タカツカサ", "アヤネ")
SECRET_BIRTH = "1977-03-19"
SECRET_MY_NUMBER = my_number("39172846501")
SECRET_CODE = juminhyo_code("7310482956")
SECRET_ADDRESS = "西新宿二丁目8番1号"


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    """Export every span of this process to memory (the provider can be set once per process)."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    _instrument_asyncpg()
    return exporter


@pytest.fixture
async def cs_queue() -> AsyncIterator[aio_pika.abc.AbstractQueue]:
    """Open cs.events as the administrator and empty it (the vhost is shared)."""
    connection = await aio_pika.connect(ADMIN_URL)
    channel = await connection.channel()
    queue = await channel.get_queue(QUEUE, ensure=False)
    await queue.purge()
    try:
        yield queue
    finally:
        await connection.close()


async def _first_message(
    queue: aio_pika.abc.AbstractQueue, change_id: str
) -> aio_pika.abc.AbstractIncomingMessage:
    async with asyncio.timeout(20), queue.iterator() as messages:
        async for message in messages:
            await message.ack()
            if json.loads(message.body)["change_id"] == change_id:
                return message
    raise AssertionError("no message for the change")


@contextlib.asynccontextmanager
async def _relay(settings: Settings, registry_vault: Any) -> AsyncIterator[OutboxRelay]:
    config = RelayConfig(
        database_url=settings.database_url.get_secret_value(),
        amqp_url=settings.amqp_url.get_secret_value(),
        poll_seconds=0.5,
    )
    relay = OutboxRelay(config, registry_vault, ward_now)
    task = asyncio.create_task(relay.run_forever())
    try:
        yield relay
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _secret_body() -> dict[str, Any]:
    family, given, family_kana, given_kana = SECRET_NAME
    return move_in(
        person(
            family,
            given,
            family_kana,
            given_kana,
            birth_date=SECRET_BIRTH,
            my_number=SECRET_MY_NUMBER,
            juminhyo_code=SECRET_CODE,
        ),
        address=SECRET_ADDRESS,
    )


def _trace_id(message: aio_pika.abc.AbstractIncomingMessage) -> int:
    traceparent = str((message.headers or {})["traceparent"])
    return int(traceparent.split("-")[1], 16)


def _span_text(span: ReadableSpan) -> str:
    return span.to_json(indent=None)


async def test_one_trace_runs_from_the_approval_through_sql_to_the_published_message(
    client: httpx.AsyncClient,
    token: TokenFactory,
    settings: Settings,
    spans: InMemorySpanExporter,
    cs_queue: aio_pika.abc.AbstractQueue,
) -> None:
    spans.clear()
    change = await enter_and_approve(client, token, _secret_body())
    approval = [s for s in spans.get_finished_spans() if "/approve" in s.name and s.parent is None]
    assert len(approval) == 1
    trace_id = approval[0].context.trace_id

    async with _relay(settings, client._transport.app.state.registry.vault):  # type: ignore[attr-defined]
        message = await _first_message(cs_queue, change["change_id"])

    assert _trace_id(message) == trace_id
    in_trace = [s for s in spans.get_finished_spans() if s.context.trace_id == trace_id]
    kinds = {s.kind for s in in_trace}
    assert trace.SpanKind.SERVER in kinds  # the approving request
    assert trace.SpanKind.PRODUCER in kinds  # the relay's publish, continued from the outbox row
    assert any(s.attributes and "db.system" in s.attributes for s in in_trace)  # its SQL


async def test_no_span_or_log_line_carries_personal_data(
    client: httpx.AsyncClient,
    token: TokenFactory,
    settings: Settings,
    spans: InMemorySpanExporter,
    cs_queue: aio_pika.abc.AbstractQueue,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # the level services run at; DEBUG wire dumps are off
    spans.clear()
    change = await enter_and_approve(client, token, _secret_body())
    atena_no = change["subjects"][0]
    headers = {"Authorization": f"Bearer {token('viewer01', 'viewer')}"}
    await client.get(f"/residents/{atena_no}", headers=headers)
    await client.get(
        "/residents", params={"kana": "タカツカサ", "birth_date": SECRET_BIRTH}, headers=headers
    )
    async with _relay(settings, client._transport.app.state.registry.vault):  # type: ignore[attr-defined]
        await _first_message(cs_queue, change["change_id"])

    exported = [_span_text(s) for s in spans.get_finished_spans()]
    assert exported, "the run produced spans"
    # The service's log lines (the test's own httpx client logs its request URLs; not the service)
    service_lines = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    text = "\n".join(exported + service_lines)
    secrets = [*SECRET_NAME, SECRET_BIRTH, "19770319", SECRET_MY_NUMBER, SECRET_CODE, "西新宿"]
    leaked = [secret for secret in secrets if secret in text]
    where = [line[:300] for line in text.splitlines() if any(s in line for s in leaked)]
    assert leaked == [], where
