"""Fuzz every operation of moj_notify's OpenAPI with schemathesis, as an admin (システム管理).

As the adapters' fuzz tests (`jumin_testing.fuzzing`): the schema comes from the real app, calls
go in-process over ASGI to an app on the test database, the throwaway vhost and the simulator
in-process; every call carries an admin token. Seeded first: a sent notice, a held one (手動連携)
and one waiting for its 予定日; every other case has its identifiers replaced by the seeded ones
(the schedule's `notice_id` too), so success answers carrying real records are checked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from jumin_contracts.codes import ChangeKind
from jumin_contracts.messages import NoticeClass
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
from moj_notify.bootstrap import Overrides
from moj_notify.config import Settings
from moj_notify.entrypoints.api.app import create_app
from schemathesis import Case

from ..builders import event, municipal_notice, person, special_permanent
from ..simulated import Simulated, simulated
from .conftest import TABLES

__all__ = ["admin_headers", "app_lifespan"]  # the shared fixtures this module uses

schema = fuzzing_schema(
    built_app(lambda: create_app(Settings()), keys_command="uv run jumin-registry dev-keys")
)
DELIVERIES = "SELECT id, person_key, event_id, status FROM moj_notify.deliveries ORDER BY id"
SCHEDULED = "SELECT id, status FROM moj_notify.scheduled_notices ORDER BY id"


@dataclass(frozen=True)
class Seeded(SeededLedger):
    """The ledger's seeded records, and a notice waiting on the schedule."""

    waiting_id: int = 0

    def apply(self, case: Case) -> None:
        super().apply(case)
        if case.path_parameters and "notice_id" in case.path_parameters:
            case.path_parameters["notice_id"] = self.waiting_id


@pytest.fixture(scope="module")
async def fuzz_system() -> AsyncIterator[Simulated]:
    async with simulated() as system:
        yield system


@pytest.fixture(scope="module")
async def seeded(
    settings: Settings, sandbox: Sandbox, fuzz_system: Simulated, admin_headers: dict[str, str]
) -> Seeded:
    """A sent, a held and a waiting notice, made by a seeding service stopped before fuzzing."""
    await (await emptied_schema(settings, sandbox, "moj_notify", TABLES)).close()
    app = create_app(
        settings, Overrides(moj_transport=fuzz_system.transport(), topology=sandbox.topology)
    )
    async with running_app(app, "http://moj-notify") as api, registry_side(sandbox) as side:
        sent_to, held_for, waiting = person(), person(), person()
        sent = event(special_permanent(), sent_to)
        await side.publish(sent)
        ahead = date.today() + timedelta(days=30)
        planned = municipal_notice(
            change_kind=ChangeKind.MOVE_OUT_ABROAD,
            occurred_on=ahead.isoformat(),
            notice_class=NoticeClass.JUKI,
        )
        await side.publish(event(planned, waiting))
        await eventually(lambda: owner_rows(settings, DELIVERIES), until=bool, what="one sent")
        await switch_manual_mode(api, admin_headers, manual=True, reason="連携端末保守")
        await side.publish(event(special_permanent(), held_for))
        rows = await eventually(
            lambda: owner_rows(settings, DELIVERIES), until=lambda r: len(r) == 2, what="one held"
        )
        await switch_manual_mode(api, admin_headers, manual=False, reason="保守終了")
    assert [(r["person_key"], r["status"]) for r in rows] == [(sent_to, "sent"), (held_for, "held")]
    (pending,) = [r for r in await owner_rows(settings, SCHEDULED) if r["status"] == "pending"]
    return Seeded(sent_to, str(sent.event_id), rows[0]["id"], rows[1]["id"], pending["id"])


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings, sandbox: Sandbox, fuzz_system: Simulated) -> FastAPI:
    """The app the fuzzer calls; schemathesis runs its lifespan."""
    return create_app(
        settings, Overrides(moj_transport=fuzz_system.transport(), topology=sandbox.topology)
    )


test_every_operation_answers_as_documented = every_operation_test(schema)
