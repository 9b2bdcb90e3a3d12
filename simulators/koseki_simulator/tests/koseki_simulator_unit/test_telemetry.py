"""Traces continue the caller's; neither spans nor logs carry personal data."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .builders import HITTOSHA, HONSEKI, MOTHER, notice, notice_body, seed, send

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PERSONAL = (MOTHER, "新宿", "花子", "華子", "19820202", "新宿三丁目", "歌舞伎町")


async def test_requests_continue_the_callers_trace_without_personal_data(
    client: httpx.AsyncClient, spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await seed(client)
    spans.clear()
    headers = {"traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"}
    await send(client, notice(notice_body()), headers=headers)
    await send(client, notice(notice_body(given_name="華子")), headers=headers)  # mismatch
    await client.get("/koseki/v1/fuhyo", params={"after": MOTHER}, headers=headers)
    await client.get("/sim/received", params={"juminhyo_code": MOTHER}, headers=headers)
    await client.post(
        "/sim/koseki-events",
        json={
            "event": "death",
            "honseki": HONSEKI,
            "hittosha": HITTOSHA,
            "juminhyo_code": MOTHER,
            "event_date": "20261201",
        },
        headers=headers,
    )

    finished = spans.get_finished_spans()
    dumped = json.dumps(
        [[span.name, dict(span.attributes or {})] for span in finished], ensure_ascii=False
    )
    logged = "\n".join(  # the simulator's logs, not the test client's (httpx)
        record.getMessage() for record in caplog.records if not record.name.startswith("httpx")
    )

    assert {"koseki.collate", "koseki.event"} <= {span.name for span in finished}
    assert all(f"{span.context.trace_id:032x}" == TRACE_ID for span in finished)
    for value in PERSONAL:
        assert value not in dumped
        assert value not in logged
