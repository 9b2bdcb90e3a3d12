"""Traces continue the caller's; neither spans nor logs carry personal data (the 符号 counts as
such: 番号法2条8項)."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .builders import FUGO, HEAD_NAME, inquiry, member_items, operation, send

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PERSONAL = (FUGO, HEAD_NAME, "山田", "妻", "20261201")


async def test_requests_continue_the_callers_trace_without_personal_data(
    client: httpx.AsyncClient, spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    spans.clear()
    headers = {"traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"}
    await send(client, operation("register", member_items()), headers=headers)
    await send(client, operation("update", member_items(relationship=None)), headers=headers)
    await client.get("/intermediate/v1/copies", params={"fugo": FUGO}, headers=headers)
    await client.get("/intermediate/v1/provision-records", params={"fugo": FUGO}, headers=headers)
    await client.post("/sim/inquiries", json=inquiry(), headers=headers)
    await client.post("/sim/inquiries", json=inquiry(legal_basis_id="nobody"), headers=headers)

    finished = spans.get_finished_spans()
    dumped = json.dumps(
        [[span.name, dict(span.attributes or {})] for span in finished], ensure_ascii=False
    )
    logged = "\n".join(  # the simulator's logs, not the test client's (httpx)
        record.getMessage() for record in caplog.records if not record.name.startswith("httpx")
    )

    assert {"intermediate.copy", "intermediate.inquiry"} <= {s.name for s in finished}
    assert all(f"{span.context.trace_id:032x}" == TRACE_ID for span in finished)
    assert "IM-000001" in dumped  # the 受付番号 and outcomes are there, the person is not
    assert "R-NO-LEGAL-BASIS" in dumped
    for value in PERSONAL:
        assert value not in dumped
        assert value not in logged
