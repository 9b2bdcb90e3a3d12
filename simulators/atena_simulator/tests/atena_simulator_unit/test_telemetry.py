"""Traces continue the caller's; neither spans nor logs carry personal data."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .builders import ADDRESS, ATENA_NO, JUMINHYO_CODE, MY_NUMBER, message, person, send

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


async def test_requests_continue_the_callers_trace_without_personal_data(
    client: httpx.AsyncClient, spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    spans.clear()
    headers = {"traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"}
    answer = (await send(client, message(person()), headers=headers)).json()
    await send(client, message(person(juminhyo_code="12345678900")), headers=headers)  # malformed
    page = (await client.get("/atena/v1/notifications", headers=headers)).json()
    await client.get("/atena/v1/persons", params={"atena_no": ATENA_NO}, headers=headers)

    finished = spans.get_finished_spans()
    dumped = json.dumps(
        [[span.name, dict(span.attributes or {})] for span in finished], ensure_ascii=False
    )
    logged = "\n".join(  # the simulator's logs, not the test client's (httpx)
        record.getMessage() for record in caplog.records if not record.name.startswith("httpx")
    )
    [obtained] = page["items"]
    personal = (
        ATENA_NO,
        JUMINHYO_CODE,
        "12345678900",
        MY_NUMBER,
        "山田",
        "19800115",
        ADDRESS,
        answer["integrated_atena_no"],
        obtained["body"]["acquisition_no"],
        obtained["body"]["fugo"],
    )

    assert {"atena.receive", "atena.fugo_obtained"} <= {s.name for s in finished}
    assert all(f"{span.context.trace_id:032x}" == TRACE_ID for span in finished)
    assert "AT-000001" in dumped  # the 受付番号 is there, the person is not
    for value in personal:
        assert value not in dumped
        assert value not in logged
