"""Fuzz every operation of the CS simulator's OpenAPI with schemathesis.

The schema comes from the real app; calls go to a fresh app per operation, in-process over ASGI
(schemathesis runs its lifespan on its own event-loop thread). Faults are reset before every
case, so no call hangs (timeout fault), waits (latency) or is answered 503 on purpose: a 5xx is
always a finding.

The checks: no 5xx, every status code documented, content types, bodies and headers as declared
(refusals are problem+json with the CS error code in `code`). Examples are bounded and
derandomized so the run is deterministic and short: MAX_EXAMPLES = 25 takes about 5 s on two
cores (300 examples took about 20 s and found nothing the 25 do not).

The simulator is not empty: a 本人確認情報, a 転入通知 and a free-code batch are taken first,
and every other generated case has its identifiers (Idempotency-Key, event id, 住民票コード,
cursor) replaced by the seeded ones, so replays, key reuse and pages with items are exercised too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import uuid4

import httpx
import pytest
from cs_simulator.config import Settings
from cs_simulator.domain.faults import FaultSettings
from cs_simulator.entrypoints.app import create_app
from fastapi import FastAPI
from jumin_testing.fuzzing import fuzzing_schema
from jumin_testing.simulator_kit import every_operation_test, refused_as_not_utf8, use_seeded
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from schemathesis import Case
from schemathesis.python.asgi import shutdown_lifespans

from .builders import identity_body, juminhyo_code, message

# Loaded eagerly so each operation is its own test; schemathesis' lazy `from_fixture` loader
# does not run under pytest 9.2 (it sets the removed `Function._nodeid`).
schema = fuzzing_schema(create_app(Settings()))


@dataclass(frozen=True)
class Seeded:
    """What the simulator holds before fuzzing."""

    key: str
    event_id: str
    juminhyo_code: str
    cursor_before: int


@pytest.fixture
def fuzz_app(spans: InMemorySpanExporter) -> Iterator[FastAPI]:
    """A fresh simulator that answers at once: no 個人番号 delay, hangs cut short; its lifespan
    (which schemathesis starts) stopped, cancelling pending answers, once an operation's cases ran."""
    yield create_app(Settings(my_number_delay=0.0, timeout_hang=0.1, seed=7))
    shutdown_lifespans()


@pytest.fixture
async def seeded(fuzz_app: FastAPI) -> Seeded:
    """Take a 本人確認情報, queue a 転入通知 and hand out a free-code batch."""
    code = juminhyo_code(11)
    payload = message("identity", identity_body(code))
    key = str(uuid4())
    transport = httpx.ASGITransport(app=fuzz_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cs") as client:
        sent = await client.post("/cs/v1/messages", json=payload, headers={"Idempotency-Key": key})
        assert sent.status_code == 201, sent.text
        notice = {
            "juminhyo_code": juminhyo_code(12),
            "moved_in_on": "20261120",
            "new_address": "大阪府大阪市北区中之島一丁目3番",
            "new_municipality_code": "271004",
        }
        queued = await client.post("/sim/move-in-notices", json=notice)
        assert queued.status_code == 201, queued.text
        batch = await client.post(
            "/cs/v1/free-codes", json={"count": 3}, headers={"Idempotency-Key": str(uuid4())}
        )
        assert batch.status_code == 201, batch.text
    return Seeded(key, payload["event_id"], code, queued.json()["cursor"] - 1)


def _use_seeded(case: Case, seeded: Seeded) -> None:
    """Point the case's identifiers at the seeded state."""
    # `after`: a cursor for notifications, a 住民票コード for identities
    after = seeded.cursor_before if "/notifications" in case.operation.path else juminhyo_code(10)
    query = {"event_id": seeded.event_id, "juminhyo_code": seeded.juminhyo_code, "after": after}
    use_seeded(case, key=seeded.key, query=query)


test_every_operation_answers_as_documented = every_operation_test(
    schema, faults=FaultSettings, point_at_seeded=_use_seeded
)


# ---- fixed cases: what fuzzing found ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/cs/v1/messages", {"Idempotency-Key": str(uuid4())}),
        ("POST", "/cs/v1/free-codes", {"Idempotency-Key": str(uuid4())}),
        ("POST", "/sim/move-in-notices", {}),
        ("PUT", "/sim/faults", {}),
    ],
)
async def test_a_body_that_is_not_utf8_is_an_e_format_refusal_and_changes_nothing(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> None:
    # Found by fuzzing: FastAPI's "error parsing the body" came out as a problem without `code`.
    assert await refused_as_not_utf8(client, method, path, headers)

    assert (await client.get("/sim/received")).json() == {"items": []}
    assert (await client.get("/cs/v1/notifications")).json()["items"] == []
    assert (await client.get("/sim/faults")).json() == FaultSettings().model_dump(mode="json")


async def test_other_http_errors_keep_their_problem_answers(client: httpx.AsyncClient) -> None:
    response = await client.delete("/cs/v1/messages")

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


def test_the_openapi_document_declares_every_answer_a_transmission_can_get() -> None:
    # Found by fuzzing: replays (200) and refusals (400 E-FORMAT, 409, 503) were undocumented,
    # and the 422 documented was FastAPI's validation error, which the simulator never answers.
    document = create_app(Settings()).openapi()
    answers = document["paths"]["/cs/v1/messages"]["post"]["responses"]

    assert sorted(answers) == ["200", "201", "400", "409", "422", "503"]
    for status, codes in {
        "400": ["E-FORMAT"],
        "409": ["E-KEY-REUSED"],
        "422": ["E-REJECTED"],
        "503": ["E-BUSY", "E-DOWN"],
    }.items():
        schema = answers[status]["content"]["application/problem+json"]["schema"]
        assert "code" in schema["required"]
        assert schema["properties"]["code"]["enum"] == codes
    replays = document["paths"]["/cs/v1/free-codes"]["post"]["responses"]
    assert sorted(replays) == ["200", "201", "400", "409", "503"]
    assert "HTTPValidationError" not in str(document)
