"""OpenTelemetry set-up shared by every service: OTLP when configured, else JSON-lines span files.

Spans carry ids, recipients and kinds only — never names, addresses, dates of birth, 個人番号 or
住民票コード (docs/architecture.md, non-negotiable 6). asyncpg is instrumented with parameters off.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from threading import Lock
from typing import Any

from fastapi import FastAPI
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import Span
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

TRACE_DIR_ENV = "JUMIN_TRACE_DIR"


class TelemetrySettings(BaseSettings):
    """Where spans go: OTLP/HTTP when the standard OpenTelemetry variable names an endpoint (the
    exporter reads the rest of the `OTEL_*` variables itself), else JSON-lines files."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    otlp_endpoint: str | None = Field(default=None, alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    trace_dir: Path = Field(default=Path("var/traces"), alias=TRACE_DIR_ENV)


class JsonLinesExporter(SpanExporter):
    """Append each finished span as one JSON line to ``<dir>/<service>.jsonl``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Write the spans; never raise into the application."""
        lines = [span.to_json(indent=None) for span in spans]
        with self._lock, self._path.open("a", encoding="utf-8") as handle:
            for line in lines:
                handle.write(json.dumps(json.loads(line), ensure_ascii=False) + "\n")
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Nothing to release."""


def configure(service_name: str, *, trace_dir: Path | None = None) -> TracerProvider:
    """Install a tracer provider for this process and return it (idempotent per process)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    settings = TelemetrySettings()
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        directory = trace_dir or settings.trace_dir
        exporter = JsonLinesExporter(directory / f"{service_name}.jsonl")
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _instrument_asyncpg()
    return provider


def _instrument_asyncpg() -> None:
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    instrumentor = AsyncPGInstrumentor(capture_parameters=False)  # type: ignore[no-untyped-call]
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()


def current_traceparent() -> str | None:
    """Return the W3C traceparent of the current span, to store beside an outbox row."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def context_from(traceparent: str | None) -> Context | None:
    """Rebuild a trace context from a stored traceparent (None when there is none)."""
    if not traceparent:
        return None
    return propagate.extract({"traceparent": traceparent})


def inject_headers(headers: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return message headers carrying the current trace context (W3C)."""
    carrier = dict(headers or {})
    propagate.inject(carrier)
    return carrier


_URL_ATTRIBUTES = ("http.url", "url.full", "http.target")


def instrument_fastapi(app: FastAPI) -> None:
    """Trace every request of `app` (continuing an incoming `traceparent`), paths only.

    Query strings never reach a span: they carry search terms (names, kana, birth dates),
    住民票コード (CS paging) and person keys. The ASGI receive/send sub-spans are left out.
    """
    FastAPIInstrumentor.instrument_app(
        app, exclude_spans=["receive", "send"], server_request_hook=_strip_query
    )


def _strip_query(span: Span, scope: dict[str, Any]) -> None:
    if not span.is_recording():
        return
    path = str(scope.get("path", ""))
    for key in _URL_ATTRIBUTES:
        span.set_attribute(key, path)
    span.set_attribute("url.query", "")
