"""Traces continue the caller's; neither spans nor logs carry personal data."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .builders import ADDRESS, CARD, OTHER_CARD, notice, notice_body, seed, send

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PERSONAL = (CARD, OTHER_CARD, "NGUYEN", "19950312", "19950313", "西新宿", ADDRESS, "VNM")


async def test_requests_continue_the_callers_trace_without_personal_data(
    client: httpx.AsyncClient, spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await seed(client)
    spans.clear()
    headers = {"traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"}
    await send(client, notice(notice_body()), headers=headers)
    await send(client, notice(notice_body(birth_date="19950313")), headers=headers)  # mismatch
    await send(client, notice(notice_body(residence_card_no="ab")), headers=headers)  # malformed
    await client.get("/moj/v1/notifications", headers=headers)  # issues both results
    await client.get("/sim/received", params={"card_no": CARD}, headers=headers)
    await client.post(
        "/sim/director-notices",
        json={
            "kind": "card_issued",
            "residence_card_no": CARD,
            "effective_date": "20261201",
            "corrections": {"residence_card_no": OTHER_CARD},
            "notice_text": "在留カードを再交付しました。",
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

    assert {"moj.receive", "moj.result", "moj.director_notice"} <= {s.name for s in finished}
    assert all(f"{span.context.trace_id:032x}" == TRACE_ID for span in finished)
    assert "R-PERSON-MISMATCH" in dumped  # the result code is there, the values are not
    for value in PERSONAL:
        assert value not in dumped
        assert value not in logged
