"""Span files rotate at the configured size and keep a bounded number and age of old files; a poll's
look for work leaves no span, here or (by the traceparent's flag) in the service it calls."""

from __future__ import annotations

import os
import time
from pathlib import Path

from jumin_platform.telemetry import JsonLinesExporter, inject_headers, untraced
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


def test_span_files_rotate_at_the_configured_size_and_keep_as_many_as_configured(
    tmp_path: Path,
) -> None:
    path = tmp_path / "svc.jsonl"
    provider = TracerProvider()
    provider.add_span_processor(
        SimpleSpanProcessor(JsonLinesExporter(path, max_bytes=4_000, keep_files=3))
    )
    tracer = provider.get_tracer("test")

    for number in range(100):
        with tracer.start_as_current_span(f"work {number}"):
            pass

    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["svc.jsonl", *(f"svc.jsonl.{n}" for n in (1, 2, 3))]
    assert all(f.stat().st_size <= 4_000 for f in files)
    assert "work 99" in path.read_text(encoding="utf-8")


def test_rotated_span_files_older_than_the_kept_days_are_removed(tmp_path: Path) -> None:
    old, recent = tmp_path / "svc.jsonl.2", tmp_path / "svc.jsonl.1"
    for rotated, days in ((old, 3), (recent, 1)):
        rotated.write_text("{}\n", encoding="utf-8")
        then = time.time() - days * 86400
        os.utime(rotated, (then, then))

    JsonLinesExporter(tmp_path / "svc.jsonl", keep_days=2).shutdown()

    assert sorted(f.name for f in tmp_path.iterdir()) == ["svc.jsonl.1"]


def test_an_untraced_poll_records_no_span_and_tells_the_called_service_not_to() -> None:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    tracer = provider.get_tracer("test")

    with untraced(), tracer.start_as_current_span("GET /cs/v1/notifications"):
        headers = inject_headers()
    with tracer.start_as_current_span("work the poll found"):
        pass

    assert [s.name for s in exported.get_finished_spans()] == ["work the poll found"]
    assert headers["traceparent"].endswith("-00"), "not sampled, so CS records no span either"
