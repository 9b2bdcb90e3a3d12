"""Fuzz every operation of the 出入国在留管理庁 simulator's OpenAPI with schemathesis.

As for the other simulators (koseki_simulator/tests/koseki_simulator_unit/test_api_fuzz.py): the
schema comes from the real app, calls go to a fresh app per operation in-process over ASGI,
faults are reset before every case, so a 5xx is always a finding. Checks: no 5xx, every status
code documented, content types, bodies and headers as declared.

The simulator is not empty: a foreign resident is known, a notice received and its result and a
長官通知 queued first, and every other case has its identifiers (Idempotency-Key, event id, card
number, 受付番号, cursor) replaced by the seeded ones, so replays, key reuse and pages with items are
exercised too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from jumin_testing.fuzzing import fuzzing_schema
from jumin_testing.simulator_kit import every_operation_test, refused_as_not_utf8, use_seeded
from moj_simulator.config import Settings
from moj_simulator.domain.faults import MojFaults
from moj_simulator.entrypoints.app import create_app
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from schemathesis import Case

from .builders import CARD, notice, notice_body, resident

schema = fuzzing_schema(create_app(Settings()))


@dataclass(frozen=True)
class Seeded:
    """What the simulator holds before fuzzing."""

    key: str
    event_id: str
    card_no: str
    cursor_before: int


@pytest.fixture
def fuzz_app(spans: InMemorySpanExporter) -> FastAPI:
    """A fresh simulator; results at once, hangs cut short."""
    return create_app(Settings(result_delay=0, timeout_hang=0.1, seed=7))


@pytest.fixture
async def seeded(fuzz_app: FastAPI) -> Seeded:
    """Know a resident, receive a notice, issue its result and queue a 長官通知."""
    payload = notice(notice_body())
    key = str(uuid4())
    transport = httpx.ASGITransport(app=fuzz_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://moj") as client:
        assert (await client.put("/sim/residents", json=resident())).status_code == 200
        sent = await client.post("/moj/v1/notices", json=payload, headers={"Idempotency-Key": key})
        assert sent.status_code == 201, sent.text
        queued = await client.post(
            "/sim/director-notices",
            json={
                "kind": "status_change",
                "residence_card_no": CARD,
                "effective_date": "20261201",
                "corrections": {"status_of_residence": "永住者"},
                "notice_text": "在留資格の変更を許可しました。",
            },
        )
        assert queued.status_code == 201, queued.text
        page = (await client.get("/moj/v1/notifications")).json()
    return Seeded(key, payload["event_id"], CARD, page["items"][0]["cursor"] - 1)


def _use_seeded(case: Case, seeded: Seeded) -> None:
    """Point the case's identifiers at the seeded state."""
    query = {"event_id": seeded.event_id, "card_no": seeded.card_no, "after": seeded.cursor_before}
    use_seeded(case, key=seeded.key, query=query)
    body_ids = BODY_IDS.get(case.operation.path, {})
    if body_ids and isinstance(case.body, dict):  # a 長官通知 or result about what is held
        case.body = {**case.body, **body_ids}


BODY_IDS: dict[str, dict[str, Any]] = {
    "/sim/director-notices": {"residence_card_no": CARD},
    "/sim/results": {"receipt_no": "MJ-000001"},
}
"""Identifiers put into fuzzed bodies so that they name the seeded person and notice."""


test_every_operation_answers_as_documented = every_operation_test(
    schema, faults=MojFaults, point_at_seeded=_use_seeded
)


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/moj/v1/notices", {"Idempotency-Key": str(uuid4())}),
        ("PUT", "/sim/residents", {}),
        ("POST", "/sim/director-notices", {}),
        ("POST", "/sim/results", {}),
        ("PUT", "/sim/faults", {}),
    ],
)
async def test_a_body_that_is_not_utf8_is_an_e_format_refusal_and_changes_nothing(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> None:
    assert await refused_as_not_utf8(client, method, path, headers)

    assert (await client.get("/sim/residents")).json() == []
    assert (await client.get("/moj/v1/notifications")).json()["items"] == []
    assert (await client.get("/sim/faults")).json() == MojFaults().model_dump(mode="json")


def test_the_openapi_document_declares_every_answer_a_notice_can_get() -> None:
    document = create_app(Settings()).openapi()
    answers = document["paths"]["/moj/v1/notices"]["post"]["responses"]

    assert sorted(answers) == ["200", "201", "400", "409", "422", "503"]
    codes = answers["422"]["content"]["application/problem+json"]["schema"]["properties"]["code"]
    assert codes["enum"] == ["E-NOT-NOTIFIABLE", "E-REJECTED"]
    assert "HTTPValidationError" not in str(document)
