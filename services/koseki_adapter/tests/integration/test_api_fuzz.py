"""Fuzz every operation of the koseki_adapter's OpenAPI with schemathesis, as an admin (システム管理).

The schema comes from the real app. The calls go in-process over ASGI to an app built from the
test settings (real PostgreSQL, the throwaway broker vhost, the real 戸籍附票システム simulator
in-process), whose lifespan (pool, consumer kit) schemathesis starts with the first call and ends
after each operation. Every call carries an admin token, so authorization does not hide the
handlers behind a 403. Anything that sends (再送信, release) reaches the simulator only.

The checks: no 5xx, every status code documented, content types, bodies and headers (problem+json
included) as declared; examples bounded and derandomized (`jumin_testing.fuzzing`). A sent and a
held notice are recorded first (by a seeding adapter stopped before fuzzing), and every other
case has its identifiers replaced by the seeded ones, so success responses carrying real records
are checked too. The routes are the platform's (`jumin_platform.deliveries.api`), shared with
cs_adapter, whose fuzz file also pins the cases fuzzing once found (NUL, ids past bigint).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import hypothesis
import pytest
from fastapi import FastAPI
from jumin_platform.devkeys import issue_token
from jumin_platform.terminal import TERMINAL_HEADER
from jumin_testing.adapter_harness import registry_side, running_app
from jumin_testing.broker import Sandbox
from jumin_testing.fuzzing import CHECKS, built_app, fuzzing_schema, use_query_values
from jumin_testing.waiting import eventually
from koseki_adapter.bootstrap import Overrides
from koseki_adapter.config import Settings
from koseki_adapter.entrypoints.api.app import create_app
from schemathesis import Case
from schemathesis.python.asgi import shutdown_lifespans

from ..builders import fuhyo_notice, juminhyo_code, koseki, member, person, wrap
from ..simulated import Simulated, simulated
from .conftest import TABLES

FUZZER = "fuzzer01"

schema = fuzzing_schema(
    built_app(lambda: create_app(Settings()), keys_command="uv run jumin-registry dev-keys")
)


@dataclass(frozen=True)
class Seeded:
    """Identifiers of what was recorded before fuzzing."""

    person_key: str
    event_id: str
    sent_id: int
    held_id: int

    def query_values(self) -> dict[str, str]:
        return {"event_id": self.event_id, "person_key": self.person_key}

    def body_values(self) -> dict[str, list[int]]:
        return {"ids": [self.held_id], "delivery_ids": [self.sent_id]}


async def _owner(settings: Settings) -> asyncpg.Connection:
    return await asyncpg.connect(settings.migration_database_url.get_secret_value())


async def _fresh_record(settings: Settings, sandbox: Sandbox) -> None:
    await sandbox.purge_queues()
    connection = await _owner(settings)
    try:
        await connection.execute(f"SET search_path = koseki_adapter; TRUNCATE {TABLES} CASCADE")
        await connection.execute(
            "UPDATE manual_mode SET manual = false, changed_by = NULL, reason = NULL"
        )
    finally:
        await connection.close()


async def _deliveries(settings: Settings) -> list[dict[str, Any]]:
    connection = await _owner(settings)
    try:
        rows = await connection.fetch(
            "SELECT id, person_key, event_id, status FROM koseki_adapter.deliveries ORDER BY id"
        )
    finally:
        await connection.close()
    return [dict(row) for row in rows]


@pytest.fixture(scope="module")
async def fuzz_system() -> AsyncIterator[Simulated]:
    """The simulator both the seeding and the fuzzed adapter talk to."""
    async with simulated() as system:
        await system.seed(koseki(member(juminhyo_code(2), "花子")))
        yield system


@pytest.fixture(scope="module")
async def seeded(
    settings: Settings, sandbox: Sandbox, fuzz_system: Simulated, admin_headers: dict[str, str]
) -> Seeded:
    """Record a sent and a held notice with a seeding adapter."""
    await _fresh_record(settings, sandbox)
    app = create_app(
        settings, Overrides(fuhyo_transport=fuzz_system.transport(), topology=sandbox.topology)
    )
    async with running_app(app, "http://koseki-adapter") as api, registry_side(sandbox) as side:
        hanako, taro = person(), person()
        sent = wrap(fuhyo_notice(), hanako, 1)
        await side.publish(sent)
        await eventually(lambda: _deliveries(settings), until=bool, what="one sent")
        manual = {"manual": True, "reason": "附票システム保守"}
        switched = await api.put("/operator/manual-mode", json=manual, headers=admin_headers)
        assert switched.status_code == 200, switched.text
        await side.publish(wrap(fuhyo_notice(), taro, 1))
        rows = await eventually(
            lambda: _deliveries(settings), until=lambda r: len(r) == 2, what="one held"
        )
        automatic = {"manual": False, "reason": "保守終了"}
        switched = await api.put("/operator/manual-mode", json=automatic, headers=admin_headers)
        assert switched.status_code == 200, switched.text
    assert [(r["person_key"], r["status"]) for r in rows] == [(hanako, "sent"), (taro, "held")]
    return Seeded(hanako, str(sent.event_id), rows[0]["id"], rows[1]["id"])


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings, sandbox: Sandbox, fuzz_system: Simulated) -> FastAPI:
    """The app the fuzzer calls; schemathesis runs its lifespan."""
    return create_app(
        settings, Overrides(fuhyo_transport=fuzz_system.transport(), topology=sandbox.topology)
    )


@pytest.fixture
def app_lifespan(seeded: Seeded) -> Iterator[None]:
    """Stop the app's lifespan (closing its pool and consumer) once an operation's cases ran."""
    yield
    shutdown_lifespans()


@pytest.fixture(scope="module")
def admin_headers(settings: Settings, keys: Path) -> dict[str, str]:
    token = issue_token(
        private_key_pem=(keys / "private.pem").read_text(),
        sub=FUZZER,
        roles=["admin"],
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    return {"Authorization": f"Bearer {token}", TERMINAL_HEADER: "fuzz-01"}


def _use_seeded(case: Case, seeded: Seeded) -> None:
    """Point the case's identifiers at the seeded records."""
    if case.path_parameters and "event_id" in case.path_parameters:
        case.path_parameters["event_id"] = seeded.event_id
    use_query_values(case, seeded.query_values())
    if isinstance(case.body, dict):
        for name, value in seeded.body_values().items():
            if name in case.body:
                case.body[name] = value
        if "delivery_ids" in case.body:  # 再送信 selects by ids or by range, not both
            case.body.pop("from", None)
            case.body.pop("to", None)


_CASES = itertools.count()


@schema.parametrize()
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_every_operation_answers_as_documented(
    case: Case,
    seeded: Seeded,
    fuzz_app: FastAPI,
    app_lifespan: None,
    admin_headers: dict[str, str],
) -> None:
    if next(_CASES) % 2:  # every other case is about the seeded records
        _use_seeded(case, seeded)
    case.call_and_validate(headers=admin_headers, checks=CHECKS, app=fuzz_app)
