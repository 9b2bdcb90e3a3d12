"""Traces continue the caller's and carry no personal data."""

from __future__ import annotations

import json

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .builders import identity_body, juminhyo_code, message, send

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


async def test_requests_continue_the_callers_trace_without_personal_data(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    spans.clear()
    code = juminhyo_code(42)
    headers = {"traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"}
    await send(client, message("identity", identity_body(code)), headers=headers)
    await client.get("/cs/v1/identities", params={"after": code}, headers=headers)
    await client.get("/sim/received", params={"juminhyo_code": code}, headers=headers)

    finished = spans.get_finished_spans()
    dumped = json.dumps([dict(span.attributes or {}) for span in finished], ensure_ascii=False)

    assert finished
    assert all(f"{span.context.trace_id:032x}" == TRACE_ID for span in finished)
    for value in (code, "新宿", "花子", "19900401", "歌舞伎町"):
        assert value not in dumped
