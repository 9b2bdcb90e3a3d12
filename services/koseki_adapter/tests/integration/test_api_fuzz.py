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

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from jumin_testing.adapter_fixtures import emptied_schema, owner_rows
from jumin_testing.adapter_harness import registry_side, running_app, switch_manual_mode
from jumin_testing.broker import Sandbox
from jumin_testing.fuzzing import (
    SeededLedger,
    admin_headers,
    app_lifespan,
    built_app,
    every_operation_test,
    fuzzing_schema,
)
from jumin_testing.waiting import eventually
from koseki_adapter.bootstrap import Overrides
from koseki_adapter.config import Settings
from koseki_adapter.entrypoints.api.app import create_app

from ..builders import fuhyo_notice, juminhyo_code, koseki, member, person, wrap
from ..simulated import Simulated, simulated
from .conftest import TABLES

__all__ = ["admin_headers", "app_lifespan"]  # the shared fixtures this module uses

schema = fuzzing_schema(
    built_app(lambda: create_app(Settings()), keys_command="uv run jumin-registry dev-keys")
)
DELIVERIES = "SELECT id, person_key, event_id, status FROM koseki_adapter.deliveries ORDER BY id"


@pytest.fixture(scope="module")
async def fuzz_system() -> AsyncIterator[Simulated]:
    """The simulator both the seeding and the fuzzed adapter talk to."""
    async with simulated() as system:
        await system.seed(koseki(member(juminhyo_code(2), "花子")))
        yield system


@pytest.fixture(scope="module")
async def seeded(
    settings: Settings, sandbox: Sandbox, fuzz_system: Simulated, admin_headers: dict[str, str]
) -> SeededLedger:
    """Record a sent and a held notice with a seeding adapter."""
    await (await emptied_schema(settings, sandbox, "koseki_adapter", TABLES)).close()
    app = create_app(
        settings, Overrides(fuhyo_transport=fuzz_system.transport(), topology=sandbox.topology)
    )
    async with running_app(app, "http://koseki-adapter") as api, registry_side(sandbox) as side:
        hanako, taro = person(), person()
        sent = wrap(fuhyo_notice(), hanako, 1)
        await side.publish(sent)
        await eventually(lambda: owner_rows(settings, DELIVERIES), until=bool, what="one sent")
        await switch_manual_mode(api, admin_headers, manual=True, reason="附票システム保守")
        await side.publish(wrap(fuhyo_notice(), taro, 1))
        rows = await eventually(
            lambda: owner_rows(settings, DELIVERIES), until=lambda r: len(r) == 2, what="one held"
        )
        await switch_manual_mode(api, admin_headers, manual=False, reason="保守終了")
    assert [(r["person_key"], r["status"]) for r in rows] == [(hanako, "sent"), (taro, "held")]
    return SeededLedger(hanako, str(sent.event_id), rows[0]["id"], rows[1]["id"])


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings, sandbox: Sandbox, fuzz_system: Simulated) -> FastAPI:
    """The app the fuzzer calls; schemathesis runs its lifespan."""
    return create_app(
        settings, Overrides(fuhyo_transport=fuzz_system.transport(), topology=sandbox.topology)
    )


test_every_operation_answers_as_documented = every_operation_test(schema)
