"""Fuzz every operation of the 戸籍附票システム simulator's OpenAPI with schemathesis.

As for the CS simulator (simulators/cs_simulator/tests/cs_simulator_unit/test_api_fuzz.py): the
schema comes from the real app, calls go to a fresh app per operation in-process over ASGI,
faults are reset before every case, so a 5xx is always a finding. Checks: no 5xx, every status
code documented, content types, bodies and headers as declared.

The simulator is not empty: a 戸籍 is seeded and a notice received first, and every other case
has its identifiers (Idempotency-Key, event id, 住民票コード, cursor) replaced by the seeded ones,
so replays, key reuse and pages with items are exercised too.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from jumin_simulator.faults import FaultSettings
from jumin_testing.fuzzing import fuzzing_schema
from jumin_testing.simulator_kit import every_operation_test, refused_as_not_utf8, use_seeded
from koseki_simulator.config import Settings
from koseki_simulator.entrypoints.app import create_app
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from schemathesis import Case

from .builders import FATHER, MOTHER, koseki, notice, notice_body

schema = fuzzing_schema(create_app(Settings()))


@dataclass(frozen=True)
class Seeded:
    """What the simulator holds before fuzzing."""

    key: str
    event_id: str
    juminhyo_code: str
    cursor_before: int


@pytest.fixture
def fuzz_app(spans: InMemorySpanExporter) -> FastAPI:
    """A fresh simulator; hangs cut short."""
    return create_app(Settings(timeout_hang=0.1, seed=7))


@pytest.fixture
async def seeded(fuzz_app: FastAPI) -> Seeded:
    """Seed a 戸籍, receive a notice and queue a 戸籍照合通知."""
    payload = notice(notice_body())
    key = str(uuid4())
    transport = httpx.ASGITransport(app=fuzz_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://koseki") as client:
        assert (await client.put("/sim/koseki", json=koseki())).status_code == 200
        sent = await client.post(
            "/koseki/v1/notices", json=payload, headers={"Idempotency-Key": key}
        )
        assert sent.status_code == 201, sent.text
        mismatch = await client.post(
            "/koseki/v1/notices",
            json=notice(notice_body(sex="1")),
            headers={"Idempotency-Key": str(uuid4())},
        )
        assert mismatch.status_code == 422, mismatch.text
        page = (await client.get("/koseki/v1/notifications")).json()
    return Seeded(key, payload["event_id"], MOTHER, page["items"][0]["cursor"] - 1)


def _use_seeded(case: Case, seeded: Seeded) -> None:
    """Point the case's identifiers at the seeded state."""
    # `after`: a cursor for notifications, a 住民票コード for the 附票
    after = seeded.cursor_before if "/notifications" in case.operation.path else FATHER
    query = {"event_id": seeded.event_id, "juminhyo_code": seeded.juminhyo_code, "after": after}
    use_seeded(case, key=seeded.key, query=query)


test_every_operation_answers_as_documented = every_operation_test(
    schema, faults=FaultSettings, point_at_seeded=_use_seeded
)


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/koseki/v1/notices", {"Idempotency-Key": str(uuid4())}),
        ("PUT", "/sim/koseki", {}),
        ("POST", "/sim/koseki-events", {}),
        ("PUT", "/sim/faults", {}),
    ],
)
async def test_a_body_that_is_not_utf8_is_an_e_format_refusal_and_changes_nothing(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> None:
    assert await refused_as_not_utf8(client, method, path, headers)

    assert (await client.get("/sim/koseki")).json() == {"items": []}
    assert (await client.get("/sim/faults")).json() == FaultSettings().model_dump(mode="json")


def test_the_openapi_document_declares_every_answer_a_notice_can_get() -> None:
    document = create_app(Settings()).openapi()
    answers = document["paths"]["/koseki/v1/notices"]["post"]["responses"]

    assert sorted(answers) == ["200", "201", "400", "409", "422", "503"]
    codes = answers["422"]["content"]["application/problem+json"]["schema"]["properties"]["code"]
    assert codes["enum"] == [
        "E-REJECTED",
        "E-KOSEKI-UNKNOWN",
        "E-PERSON-UNKNOWN",
        "E-NAME-MISMATCH",
        "E-BIRTH-DATE-MISMATCH",
        "E-SEX-MISMATCH",
    ]
    assert "HTTPValidationError" not in str(document)
