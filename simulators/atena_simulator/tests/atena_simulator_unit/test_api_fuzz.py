"""Fuzz every operation of the 団体内統合宛名システム simulator's OpenAPI with schemathesis.

As for the other simulators (moj_simulator/tests/moj_simulator_unit/test_api_fuzz.py): the schema
comes from the real app, calls go to a fresh app per operation in-process over ASGI, faults are
reset before every case, so a 5xx is always a finding. Checks: no 5xx, every status code
documented, content types, bodies and headers as declared.

The simulator is not empty: a person was sent and numbered and the 符号 came back, and every
other case has its identifiers (Idempotency-Key, event id, 宛名番号, 統合宛名番号, cursor)
replaced by the seeded ones, so replays, key reuse, lookups that find someone and pages with
items are exercised too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx
import pytest
from atena_simulator.config import Settings
from atena_simulator.entrypoints.app import create_app
from fastapi import FastAPI
from jumin_simulator.faults import FaultSettings
from jumin_testing.fuzzing import fuzzing_schema
from jumin_testing.simulator_kit import (
    every_operation_test,
    in_process,
    post_message,
    refused_as_not_utf8,
    use_seeded,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from schemathesis import Case

from .builders import ATENA_NO, message, person

schema = fuzzing_schema(create_app(Settings()))


@dataclass(frozen=True)
class Seeded:
    """What the simulator holds before fuzzing."""

    key: str
    event_id: str
    integrated_atena_no: str
    cursor_before: int


@pytest.fixture
def fuzz_app(spans: InMemorySpanExporter) -> FastAPI:
    """A fresh simulator; 符号 at once, hangs cut short."""
    return create_app(Settings(fugo_delay=0, timeout_hang=0.1, seed=7))


@pytest.fixture
async def seeded(fuzz_app: FastAPI) -> Seeded:
    """Number a person and let the 符号 come back."""
    payload = message(person())
    key = str(uuid4())
    async with in_process(fuzz_app) as client:
        sent = await post_message(client, "/atena/v1/persons", payload, key=key)
        assert sent.status_code == 201, sent.text
        page = (await client.get("/atena/v1/notifications")).json()
    number = sent.json()["integrated_atena_no"]
    return Seeded(key, payload["event_id"], number, page["items"][0]["cursor"] - 1)


def _use_seeded(case: Case, seeded: Seeded) -> None:
    """Point the case's identifiers at the seeded state (a lookup by 統合宛名番号 or, when the
    case gives none, by the seeded person's 宛名番号)."""
    query: dict[str, Any] = {"event_id": seeded.event_id, "after": seeded.cursor_before}
    if "integrated_atena_no" in (case.query or {}):
        query["integrated_atena_no"] = seeded.integrated_atena_no
    else:
        query |= {"atena_no": ATENA_NO, "system": "juki"}
    use_seeded(case, key=seeded.key, query=query)


test_every_operation_answers_as_documented = every_operation_test(
    schema, faults=FaultSettings, point_at_seeded=_use_seeded
)


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/atena/v1/persons", {"Idempotency-Key": str(uuid4())}),
        ("PUT", "/sim/faults", {}),
    ],
)
async def test_a_body_that_is_not_utf8_is_an_e_format_refusal_and_changes_nothing(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> None:
    assert await refused_as_not_utf8(client, method, path, headers)

    assert (await client.get("/sim/persons")).json() == []
    assert (await client.get("/atena/v1/notifications")).json()["items"] == []
    assert (await client.get("/sim/faults")).json() == FaultSettings().model_dump(mode="json")


def test_the_openapi_document_declares_every_answer_a_message_can_get() -> None:
    document = create_app(Settings()).openapi()
    answers = document["paths"]["/atena/v1/persons"]["post"]["responses"]

    assert sorted(answers) == ["200", "201", "400", "409", "422", "503"]
    codes = answers["422"]["content"]["application/problem+json"]["schema"]["properties"]["code"]
    assert codes["enum"] == ["E-REJECTED"]
    assert "HTTPValidationError" not in str(document)
