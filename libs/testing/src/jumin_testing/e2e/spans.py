"""The span files every process of the slice exported (JSON lines, jumin_platform.telemetry)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..waiting import eventually


@dataclass(frozen=True)
class Span:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str | None
    kind: str
    start: str
    attributes: dict[str, Any]


def _hex(value: str | None) -> str | None:
    return None if value is None else value.removeprefix("0x")


def read_spans(directory: Path) -> list[Span]:
    """Every span in every `<service>.jsonl` file under the directory."""
    spans = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            raw = json.loads(line)
            spans.append(
                Span(
                    service=raw.get("resource", {}).get("attributes", {}).get("service.name")
                    or path.stem,
                    name=raw["name"],
                    trace_id=_hex(raw["context"]["trace_id"]) or "",
                    span_id=_hex(raw["context"]["span_id"]) or "",
                    parent_id=_hex(raw.get("parent_id")),
                    kind=raw.get("kind", ""),
                    start=raw.get("start_time", ""),
                    attributes=raw.get("attributes") or {},
                )
            )
    return spans


def traceparent_ids(traceparent: str) -> tuple[str, str]:
    """(trace id, parent span id) of a W3C traceparent `00-<trace>-<span>-<flags>`."""
    _, trace_id, span_id, _ = traceparent.split("-")
    return trace_id, span_id


def received_span(traces: Path, service: str, traceparent: str) -> str | None:
    """The span of `service` that a stored traceparent names (itself, or as its parent): where
    a simulator received what carried it."""
    _, named = traceparent_ids(traceparent)
    found = [
        s.span_id
        for s in read_spans(traces)
        if s.service == service and named in (s.span_id, s.parent_id)
    ]
    return found[0] if found else None


@dataclass(frozen=True)
class Trace:
    """The spans of one trace id, across every process."""

    trace_id: str
    spans: dict[str, Span]

    @classmethod
    def of(cls, spans: list[Span], trace_id: str) -> Trace:
        return cls(trace_id, {s.span_id: s for s in spans if s.trace_id == trace_id})

    @property
    def services(self) -> set[str]:
        return {s.service for s in self.spans.values()}

    def orphans(self) -> list[Span]:
        """Spans whose parent is in no span file (a broken hop)."""
        return [
            s
            for s in self.spans.values()
            if s.parent_id is not None and s.parent_id not in self.spans
        ]

    def ancestry(self, span_id: str) -> list[Span]:
        """The span and its parents up to the root, root first."""
        chain = []
        current: str | None = span_id
        while current is not None:
            span = self.spans[current]
            chain.append(span)
            current = span.parent_id
        return chain[::-1]

    def hops(self, span_id: str) -> list[str]:
        """The services the path from the root to this span passes through, in order."""
        services: list[str] = []
        for span in self.ancestry(span_id):
            if not services or services[-1] != span.service:
                services.append(span.service)
        return services


async def receipt_path(traces: Path, service: str, traceparent: str) -> tuple[list[str], Trace]:
    """Wait for `service`'s span of a receipt whose stored traceparent is given; return the
    services the path from the trace's root to it passes through, and the whole trace."""
    span = await eventually(
        lambda: received_span(traces, service, traceparent),
        lambda found: found is not None,
        what=f"{service}'s span of the receipt",
        every=0.2,
    )
    assert span is not None
    trace = Trace.of(read_spans(traces), traceparent_ids(traceparent)[0])
    return trace.hops(span), trace


async def paths_to(traces: Path, trace_id: str, service: str) -> tuple[set[tuple[str, ...]], Trace]:
    """Wait until `service` has spans in the trace; return the services each path from the root
    to one of them passes through, and the whole trace."""
    reached = await eventually(
        lambda: [s for s in read_spans(traces) if (s.trace_id, s.service) == (trace_id, service)],
        lambda found: len(found) > 0,
        what=f"{service}'s spans in trace {trace_id}",
        every=0.2,
    )
    trace = Trace.of(read_spans(traces), trace_id)
    return {tuple(trace.hops(s.span_id)) for s in reached}, trace


def spellings(secret: str) -> set[str]:
    """The secret as text, as ASCII-escaped JSON (\\u5c71…) and as escaped UTF-8 bytes (\\xe5…)."""
    return {
        secret,
        json.dumps(secret)[1:-1],
        "".join(f"\\x{b:02x}" for b in secret.encode()),
    }


def leaks(texts: dict[str, str], secrets: set[str]) -> dict[str, list[str]]:
    """Which of the secrets each text contains, in any spelling (only non-empty findings)."""
    forms = {form: secret for secret in secrets if secret for form in spellings(secret)}
    found = {}
    for name, text in texts.items():
        hits = sorted({secret for form, secret in forms.items() if form in text})
        if hits:
            found[name] = hits
    return found


def files_under(*directories: Path) -> dict[str, str]:
    """The text of every file under the directories, by path."""
    return {
        str(path): path.read_text(encoding="utf-8", errors="replace")
        for directory in directories
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
