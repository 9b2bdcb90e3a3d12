"""One trace from the approving request through SQL, the relay's publish and the consumer; no personal data.

The relay publishes into a throwaway vhost where a real consumer built with the consumer kit (as
every adapter is: FastStream with its telemetry middleware) consumes `cs.events` as
jumin_cs_adapter with a no-op handler (downstream.py).  Every span of this process is exported to
memory.  The traced change is a 国内転出, so CS gets both 本人確認情報 and 転出証明書情報, the
message that carries the most personal data of all CS's messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import date, timedelta

import httpx
import pytest
from jumin_platform.my_number_vault import MyNumberVault
from jumin_platform.telemetry import _instrument_asyncpg
from jumin_testing.waiting import eventually
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from registry.bootstrap import ward_now
from registry.config import Settings
from registry.entrypoints.relay import OutboxRelay, RelayConfig

from .downstream import NoOpHandler, broker_sandbox, recipient, registry_url
from .helpers import (
    Body,
    TokenFactory,
    auth,
    enter_and_approve,
    juminhyo_code,
    move_in,
    my_number,
    person,
)

CS_MESSAGES = {"cs.identity", "cs.moveout_certificate"}
MESSAGE_ID = "messaging.message.id"

SECRET_NAME = ("鷹司", "綾音", "タカツカサ", "アヤネ")
SECRET_BIRTH = "1977-03-19"
SECRET_MY_NUMBER = my_number("39172846501")
SECRET_CODE = juminhyo_code("7310482956")
SECRET_ADDRESS = "西新宿二丁目8番1号"
SECRET_DESTINATION = "東京都中野区中野一丁目1番1号"


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
async def cs(settings: Settings) -> AsyncIterator[tuple[str, NoOpHandler]]:
    """Consume cs.events of a throwaway vhost with the kit; yield the relay's URL for that vhost."""
    amqp_url = settings.amqp_url.get_secret_value()
    async with broker_sandbox(amqp_url) as sandbox:
        owner_dsn = settings.migration_database_url.get_secret_value()
        async with recipient("cs", sandbox=sandbox, owner_dsn=owner_dsn) as handler:
            yield registry_url(sandbox, amqp_url), handler


@contextlib.asynccontextmanager
async def _relay(settings: Settings, vault: MyNumberVault, amqp_url: str) -> AsyncIterator[None]:
    config = RelayConfig(
        database_url=settings.database_url.get_secret_value(), amqp_url=amqp_url, poll_seconds=0.5
    )
    task = asyncio.create_task(OutboxRelay(config, vault, ward_now).run_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _vault(client: httpx.AsyncClient) -> MyNumberVault:
    vault: MyNumberVault = client._transport.app.state.registry.vault  # type: ignore[attr-defined]
    return vault


def _secret_move_in() -> Body:
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


def _move_out(atena_nos: list[str]) -> Body:
    """A 国内転出 filed today for ten days ahead (so CS also gets 転出証明書情報)."""
    return {
        "kind": "domestic_move_out",
        "occurred_on": (date.today() + timedelta(days=10)).isoformat(),
        "notified_on": date.today().isoformat(),
        "atena_nos": atena_nos,
        "destination": SECRET_DESTINATION,
    }


def _attribute(span: ReadableSpan, name: str) -> object:
    return (span.attributes or {}).get(name)


def _publish(spans: Iterable[ReadableSpan], message_id: str) -> ReadableSpan:
    """Return the relay's publish span of one message."""
    [found] = [
        s
        for s in spans
        if s.kind is trace.SpanKind.PRODUCER and _attribute(s, MESSAGE_ID) == message_id
    ]
    return found


def _is_process(span: ReadableSpan) -> bool:
    """Say whether a span is FastStream's consume ("process") span (not its "create" span)."""
    return (
        span.kind is trace.SpanKind.CONSUMER
        and _attribute(span, "messaging.operation") == "process"
    )


def _process(spans: Iterable[ReadableSpan], message_id: str) -> ReadableSpan:
    """Return FastStream's consume span of one message."""
    [found] = [s for s in spans if _is_process(s) and _attribute(s, MESSAGE_ID) == message_id]
    return found


def _consumed_ids(spans: Iterable[ReadableSpan]) -> set[str]:
    return {str(_attribute(s, MESSAGE_ID)) for s in spans if _is_process(s)}


def _descends(span: ReadableSpan, ancestor: ReadableSpan, spans: list[ReadableSpan]) -> bool:
    """Say whether *ancestor* is on the parent chain of *span* (among the exported spans)."""
    by_id = {s.context.span_id: s for s in spans}
    parent = span.parent
    while parent is not None:
        if parent.span_id == ancestor.context.span_id:
            return True
        above = by_id.get(parent.span_id)
        parent = above.parent if above is not None else None
    return False


async def test_one_trace_runs_from_the_approval_through_sql_and_the_relay_to_the_consumer(
    client: httpx.AsyncClient,
    token: TokenFactory,
    settings: Settings,
    spans: InMemorySpanExporter,
    cs: tuple[str, NoOpHandler],
) -> None:
    relay_url, handler = cs
    moved_in = await enter_and_approve(client, token, _secret_move_in())
    spans.clear()
    change = await enter_and_approve(client, token, _move_out(moved_in["subjects"]))
    [approval] = [s for s in spans.get_finished_spans() if "/approve" in s.name and not s.parent]
    assert approval.kind is trace.SpanKind.SERVER
    trace_id = approval.context.trace_id

    async with _relay(settings, _vault(client), relay_url):
        await eventually(
            lambda: {c.routing_key for c in handler.of(change["change_id"])} >= CS_MESSAGES,
            what="the consumer to handle the move-out's cs messages",
        )
        message_ids = {str(c.event_id) for c in handler.of(change["change_id"])}
        await eventually(  # FastStream ends its consume span just after the handler returns
            lambda: message_ids <= _consumed_ids(spans.get_finished_spans()),
            what="the consume spans",
        )

    exported = list(spans.get_finished_spans())
    sql = [s for s in exported if _attribute(s, "db.system")]
    assert any(_descends(s, approval, exported) for s in sql), "the approval's SQL"
    for message_id in message_ids:
        publish = _publish(exported, message_id)  # the relay's
        consume = _process(exported, message_id)  # FastStream's, in the kit
        assert publish.context.trace_id == consume.context.trace_id == trace_id
        assert _descends(publish, approval, exported), "the relay continues the approval"
        assert _descends(consume, publish, exported), "the consumer continues the publish"
        assert any(_descends(s, consume, exported) for s in sql), "the kit's inbox SQL"


async def test_no_span_or_log_line_carries_personal_data(
    client: httpx.AsyncClient,
    token: TokenFactory,
    settings: Settings,
    spans: InMemorySpanExporter,
    cs: tuple[str, NoOpHandler],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # the level services run at; DEBUG wire dumps are off
    relay_url, handler = cs
    spans.clear()
    moved_in = await enter_and_approve(client, token, _secret_move_in())
    atena_no = moved_in["subjects"][0]
    headers = auth(token, "viewer01", "viewer")
    await client.get(f"/residents/{atena_no}", headers=headers)
    await client.get(
        "/residents", params={"kana": "タカツカサ", "birth_date": SECRET_BIRTH}, headers=headers
    )
    moved_out = await enter_and_approve(client, token, _move_out([atena_no]))
    async with _relay(settings, _vault(client), relay_url):
        await eventually(
            lambda: {c.routing_key for c in handler.of(moved_out["change_id"])} >= CS_MESSAGES,
            what="the consumer to handle the 本人確認情報 and the 転出証明書情報",
        )
        await eventually(
            lambda: handler.of(moved_in["change_id"]) != [], what="the move-in's 本人確認情報"
        )

    exported = [s.to_json(indent=None) for s in spans.get_finished_spans()]
    assert any('"jumin.events.cs.moveout_certificate process"' in s for s in exported)
    # The service's log lines (the test's own httpx client logs its request URLs; not the service)
    service_lines = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    text = "\n".join(exported + service_lines)
    secrets = [*SECRET_NAME, SECRET_BIRTH, "19770319", SECRET_MY_NUMBER, SECRET_CODE, "西新宿"]
    secrets += [SECRET_DESTINATION, "中野一丁目"]
    leaked = [secret for secret in secrets if secret in text]
    where = [line[:300] for line in text.splitlines() if any(s in line for s in leaked)]
    assert leaked == [], where
