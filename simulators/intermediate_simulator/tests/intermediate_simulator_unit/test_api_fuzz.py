"""Fuzz every operation of the 中間サーバー simulator's OpenAPI with schemathesis.

As for the other simulators (moj_simulator/tests/moj_simulator_unit/test_api_fuzz.py): the schema
comes from the real app, calls go to a fresh app per operation in-process over ASGI, faults are
reset before every case, so a 5xx is always a finding. Checks: no 5xx, every status code
documented, content types, bodies and headers as declared.

The simulator is not empty: a 副本 was registered and asked for, and every other case has its
identifiers (Idempotency-Key, event id, 符号, legal basis) replaced by the seeded ones, so
replays, key reuse, answers with data and pages with items are exercised too.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from intermediate_simulator.config import Settings
from intermediate_simulator.domain.faults import IntermediateFaults
from intermediate_simulator.entrypoints.app import create_app
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

from .builders import FUGO, inquiry, member_items, operation

schema = fuzzing_schema(create_app(Settings()))


@dataclass(frozen=True)
class Seeded:
    """What the simulator holds before fuzzing."""

    key: str
    event_id: str


@pytest.fixture
def fuzz_app(spans: InMemorySpanExporter) -> FastAPI:
    """A fresh simulator; hangs cut short."""
    return create_app(Settings(timeout_hang=0.1, seed=7))


@pytest.fixture
async def seeded(fuzz_app: FastAPI) -> Seeded:
    """Register a 副本 and answer an inquiry about it."""
    payload = operation("register", member_items())
    key = str(uuid4())
    async with in_process(fuzz_app) as client:
        sent = await post_message(client, "/intermediate/v1/copies", payload, key=key)
        assert sent.status_code == 201, sent.text
        asked = await client.post("/sim/inquiries", json=inquiry())
        assert asked.status_code == 200, asked.text
    return Seeded(key, payload["event_id"])


def _use_seeded(case: Case, seeded: Seeded) -> None:
    """Point the case's identifiers at the seeded state (bodies too: the seeded 符号, a basis in
    the table)."""
    use_seeded(case, key=seeded.key, query={"event_id": seeded.event_id, "fugo": FUGO, "after": 0})
    if not isinstance(case.body, dict):
        return
    if case.operation.path == "/sim/inquiries":
        case.body = {**case.body, "fugo": FUGO, "legal_basis_id": "child-allowance"}
    body = case.body.get("body")
    if case.operation.path == "/intermediate/v1/copies" and isinstance(body, dict):
        case.body = {**case.body, "body": {**body, "fugo": FUGO}}  # on the seeded 副本


test_every_operation_answers_as_documented = every_operation_test(
    schema, faults=IntermediateFaults, point_at_seeded=_use_seeded
)


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/intermediate/v1/copies", {"Idempotency-Key": str(uuid4())}),
        ("POST", "/sim/inquiries", {}),
        ("PUT", "/sim/legal-bases", {}),
        ("PUT", "/sim/faults", {}),
    ],
)
async def test_a_body_that_is_not_utf8_is_an_e_format_refusal_and_changes_nothing(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> None:
    bases = (await client.get("/sim/legal-bases")).json()

    assert await refused_as_not_utf8(client, method, path, headers)

    assert (await client.get("/intermediate/v1/copies")).json()["items"] == []
    assert (await client.get("/sim/received")).json()["items"] == []
    assert (await client.get("/sim/legal-bases")).json() == bases
    assert (await client.get("/sim/faults")).json() == IntermediateFaults().model_dump(mode="json")


def test_the_openapi_document_declares_every_answer_an_operation_can_get() -> None:
    document = create_app(Settings()).openapi()
    answers = document["paths"]["/intermediate/v1/copies"]["post"]["responses"]

    assert sorted(answers) == ["200", "201", "400", "409", "422", "503"]
    codes = answers["409"]["content"]["application/problem+json"]["schema"]["properties"]["code"]
    assert codes["enum"] == [
        "E-KEY-REUSED",
        "E-ALREADY-REGISTERED",
        "E-NOT-REGISTERED",
        "E-OUT-OF-ORDER",
    ]
    assert "HTTPValidationError" not in str(document)
