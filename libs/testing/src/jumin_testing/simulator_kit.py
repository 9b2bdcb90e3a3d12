"""What the simulators' unit tests share: spans in memory, an in-process client, messages with an
idempotency key, fault settings, the not-UTF-8 refusal, seeded identifiers for fuzzing and the
console-script check.

    spans = collect_spans("atena-simulator", tmp_path)       # once per session
    async with in_process(create_app(settings)) as client:    # one simulator process's life
        await set_faults(client, error_rate=1.0)
        response = await post_message(client, "/atena/v1/persons", payload, key=key)
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol
from uuid import uuid4

import httpx
import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from jumin_platform.telemetry import configure
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel
from schemathesis import Case

from jumin_testing.fuzzing import CHECKS
from jumin_testing.simulator_process import serve_simulator, wait_healthy

__all__ = [
    "NOT_UTF8",
    "WARD",
    "Send",
    "accepted",
    "app_fixture",
    "check_console_script",
    "collect_spans",
    "envelope",
    "every_operation_test",
    "feed_items",
    "in_process",
    "message_sender",
    "post_message",
    "refused_as_not_utf8",
    "set_faults",
    "spans_fixture",
    "use_seeded",
]


def collect_spans(service: str, trace_dir: Path) -> InMemorySpanExporter:
    """Install tracing for *service* (files under *trace_dir*) and keep every finished span in
    memory too; call once per test session."""
    provider = configure(service, trace_dir=trace_dir)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


def spans_fixture(service: str) -> Any:
    """The session's `spans` fixture: tracing for *service* installed once (`collect_spans`)."""

    @pytest.fixture(scope="session")
    def spans(tmp_path_factory: pytest.TempPathFactory) -> InMemorySpanExporter:
        """Install tracing once and collect every finished span in memory."""
        return collect_spans(service, tmp_path_factory.mktemp("traces"))

    return spans


def app_fixture(create_app: Callable[[Any], FastAPI]) -> Any:
    """A test's `app` fixture: a fresh simulator app on the `settings` fixture, traced."""

    @pytest.fixture
    def app(settings: Any, spans: InMemorySpanExporter) -> FastAPI:
        """A fresh simulator app."""
        return create_app(settings)

    return app


@asynccontextmanager
async def in_process(
    app: FastAPI, base_url: str = "http://simulator"
) -> AsyncIterator[httpx.AsyncClient]:
    """One simulator process's life: its lifespan, and a client talking to it over ASGI."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


async def post_message(
    client: httpx.AsyncClient,
    path: str,
    payload: Any,
    *,
    key: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST one message with an `Idempotency-Key` (a new one unless *key* is given)."""
    all_headers = {"Idempotency-Key": key or str(uuid4()), **(headers or {})}
    return await client.post(path, json=payload, headers=all_headers)


class Send(Protocol):
    """POST one message to a simulator's message path with an `Idempotency-Key` (a new one
    unless *key* is given)."""

    async def __call__(
        self,
        client: httpx.AsyncClient,
        payload: Any,
        *,
        key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response: ...


def message_sender(path: str) -> Send:
    """The `send` of a simulator's tests: `post_message` to *path*."""

    async def send(
        client: httpx.AsyncClient,
        payload: Any,
        *,
        key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        return await post_message(client, path, payload, key=key, headers=headers)

    return send


async def accepted(client: httpx.AsyncClient, path: str, payload: Any) -> dict[str, Any]:
    """POST one message that must be accepted (201, a new idempotency key); its answer."""
    response = await post_message(client, path, payload)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


WARD = "131041"
"""The ward's 地方公共団体コード (新宿区), the sender of every test message."""


def envelope(
    body: Any, *, sent_at: str, event_id: str | None = None, **fields: Any
) -> dict[str, Any]:
    """Wrap a body in the simulators' message envelope (a new event id unless given; *fields*
    such as a message `type` added)."""
    wrapped = {"event_id": event_id or str(uuid4()), "municipality_code": WARD, "sent_at": sent_at}
    return wrapped | fields | {"body": body}


async def feed_items(client: httpx.AsyncClient, path: str, after: int = 0) -> list[dict[str, Any]]:
    """The items of a notifications feed at *path* after a cursor."""
    response = await client.get(path, params={"after": after})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def set_faults(client: httpx.AsyncClient, **faults: Any) -> None:
    """Replace the simulator's fault settings (they must be valid)."""
    response = await client.put("/sim/faults", json=faults)
    assert response.status_code == 200, response.text


NOT_UTF8 = b'{"event_id": "\xff"}'
"""A body that is not UTF-8 (so not JSON)."""


async def refused_as_not_utf8(
    client: httpx.AsyncClient, method: str, path: str, headers: Mapping[str, str]
) -> bool:
    """Send `NOT_UTF8`; tell whether it was refused as `400 E-FORMAT` problem+json about the body."""
    response = await client.request(
        method, path, content=NOT_UTF8, headers={**headers, "Content-Type": "application/json"}
    )
    return (
        response.status_code == 400
        and response.headers["content-type"] == "application/problem+json"
        and response.json()["code"] == "E-FORMAT"
        and response.json()["errors"][0]["loc"] == ["body"]
    )


def use_seeded(case: Case[Any], *, key: str, query: Mapping[str, Any]) -> None:
    """Point a fuzzed case at what the simulator holds: its `Idempotency-Key` (if it has one) and
    the query parameters it declares among *query*."""
    if "Idempotency-Key" in {parameter.name for parameter in case.operation.headers}:
        case.headers["Idempotency-Key"] = key
    declared = {parameter.name for parameter in case.operation.query}
    overrides = {name: value for name, value in query.items() if name in declared}
    if overrides:
        case.query = {**(case.query or {}), **overrides}


def every_operation_test(
    schema: schemathesis.BaseSchema,
    *,
    faults: Callable[[], BaseModel],
    point_at_seeded: Callable[[Case[Any], Any], None],
) -> Callable[..., None]:
    """The simulator's test of every operation of *schema* on the module's `fuzz_app`: its faults
    reset to `faults()` before each case (a fuzzed `PUT /sim/faults` stays its own case, so a 5xx
    is always a finding), every other case pointed at the module's `seeded` state, then the shared
    checks (`jumin_testing.fuzzing.CHECKS`)."""
    cases = itertools.count()  # generation is derandomized, so the numbering is stable

    @schema.parametrize()
    # The app and its seeded state are meant to be shared by an operation's examples.
    @hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
    def test_every_operation_answers_as_documented(
        case: Case[Any], fuzz_app: FastAPI, seeded: Any
    ) -> None:
        fuzz_app.state.simulator.faults = faults()
        if next(cases) % 2:
            point_at_seeded(case, seeded)
        case.call_and_validate(checks=CHECKS, app=fuzz_app)

    test: Callable[..., None] = test_every_operation_answers_as_documented  # as parametrized
    return test


def check_console_script(script: str, env_prefix: str, workdir: Path, api_path: str) -> None:
    """`<script> serve` answers its health check, and a 'timeout' fault on *api_path* makes the
    client give up, then drops the connection unanswered."""
    with serve_simulator(script, env_prefix, workdir) as url:
        assert wait_healthy(url).json() == {"status": "ok"}
        httpx.put(f"{url}/sim/faults", json={"timeout_rate": 1.0}).raise_for_status()
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{url}{api_path}", timeout=0.1)
        with pytest.raises(httpx.RemoteProtocolError):  # after the hang: closed, never answered
            httpx.get(f"{url}{api_path}", timeout=10)
