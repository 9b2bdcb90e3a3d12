"""OpenTelemetry set-up shared by every service: OTLP when configured, else JSON-lines span files.

Spans carry ids, recipients and kinds only — never names, addresses, dates of birth, 個人番号 or
住民票コード (docs/architecture.md, non-negotiable 6). asyncpg is instrumented with parameters off.

Idle loops stay out of the span files: a poll looks under `untraced()`, and only the work it finds
is traced (under the trace that caused it); health checks are not sampled. Span files rotate by
size and rotated files are kept for a configurable number and age.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
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
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import Link, NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags
from opentelemetry.util.types import Attributes
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

TRACE_DIR_ENV = "JUMIN_TRACE_DIR"


class TelemetrySettings(BaseSettings):
    """Where spans go: OTLP/HTTP when the standard OpenTelemetry variable names an endpoint (the
    exporter reads the rest of the `OTEL_*` variables itself), else JSON-lines files that rotate
    at `trace_max_bytes`, keeping `trace_keep_files` rotated files no older than `trace_keep_days`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    otlp_endpoint: str | None = Field(default=None, alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    trace_dir: Path = Field(default=Path("var/traces"), alias=TRACE_DIR_ENV)
    trace_max_bytes: int = Field(default=10_000_000, gt=0, alias="JUMIN_TRACE_MAX_BYTES")
    trace_keep_files: int = Field(default=10, ge=1, alias="JUMIN_TRACE_KEEP_FILES")
    trace_keep_days: float = Field(default=7.0, gt=0, alias="JUMIN_TRACE_KEEP_DAYS")


class _SpanFile(RotatingFileHandler):
    """The standard library's size rotation, plus removal of rotated files past their age."""

    #: Seconds between looks for rotated files past their age (also at start and each rotation).
    PRUNE_EVERY = 3600.0

    def __init__(self, path: Path, *, max_bytes: int, keep_files: int, keep_days: float) -> None:
        super().__init__(
            path, maxBytes=max_bytes, backupCount=keep_files, encoding="utf-8", delay=True
        )
        self._keep_seconds = keep_days * 86400
        self._pruned = 0.0
        self.setFormatter(logging.Formatter("%(message)s"))
        self.prune()

    def emit(self, record: logging.LogRecord) -> None:
        if time.monotonic() - self._pruned > self.PRUNE_EVERY:
            self.prune()
        super().emit(record)

    def doRollover(self) -> None:
        super().doRollover()
        self.prune()

    def prune(self) -> None:
        """Delete this file's rotated copies last written longer ago than the kept time."""
        self._pruned = time.monotonic()
        current = Path(self.baseFilename)
        cutoff = time.time() - self._keep_seconds
        for rotated in current.parent.glob(f"{current.name}.*"):
            if rotated.stat().st_mtime < cutoff:
                rotated.unlink(missing_ok=True)


class JsonLinesExporter(SpanExporter):
    """Append each finished span as one JSON line to ``<dir>/<service>.jsonl``, rotating by size."""

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int = 10_000_000,
        keep_files: int = 10,
        keep_days: float = 7.0,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = _SpanFile(
            path, max_bytes=max_bytes, keep_files=keep_files, keep_days=keep_days
        )

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Write the spans; never raise into the application (the handler reports its errors)."""
        for span in spans:
            line = json.dumps(json.loads(span.to_json(indent=None)), ensure_ascii=False)
            self._file.handle(logging.makeLogRecord({"msg": line}))
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Close the file."""
        self._file.close()


#: Liveness and readiness probes: asked every few seconds, they say nothing about a change.
HEALTH_SPANS = frozenset({"GET /healthz", "GET /readyz"})


class _HealthChecksOff(Sampler):
    """Sample every root span except the server span of a health check."""

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if kind is SpanKind.SERVER and name in HEALTH_SPANS:
            return SamplingResult(Decision.DROP)
        return ALWAYS_ON.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return "HealthChecksOff"


def configure(service_name: str, *, trace_dir: Path | None = None) -> TracerProvider:
    """Install a tracer provider for this process and return it (idempotent per process)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name}),
        sampler=ParentBased(root=_HealthChecksOff()),
    )
    settings = TelemetrySettings()
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        exporter = JsonLinesExporter(
            (trace_dir or settings.trace_dir) / f"{service_name}.jsonl",
            max_bytes=settings.trace_max_bytes,
            keep_files=settings.trace_keep_files,
            keep_days=settings.trace_keep_days,
        )
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    _instrument_asyncpg()
    return provider


@contextmanager
def untraced() -> Iterator[None]:
    """Run a poll's look for work without spans, here or in the service it calls.

    The block runs under a parent that was not sampled, so the parent-based sampler drops every
    span started in it — the asyncpg instrumentation's, our own clients', and (the traceparent
    carries the decision) the called service's. Work the poll finds is traced outside the block,
    under the trace stored with it.
    """
    ids = RandomIdGenerator()
    parent = SpanContext(
        trace_id=ids.generate_trace_id(),
        span_id=ids.generate_span_id(),
        is_remote=False,
        trace_flags=TraceFlags(TraceFlags.DEFAULT),
    )
    with trace.use_span(NonRecordingSpan(parent)):
        yield


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


def current_trace_id() -> str | None:
    """Return the current trace id (hex), to find a record's trace later (None outside one)."""
    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None


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
