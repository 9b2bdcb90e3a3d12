"""Fuzz every operation of the cs_adapter's OpenAPI with schemathesis, as an admin (システム管理).

The schema comes from the real app. The calls go in-process over ASGI to an app built from the
test settings (real PostgreSQL, the throwaway broker vhost, the in-process fake CS), whose
lifespan (pool, consumer kit, poller) schemathesis starts on its own event-loop thread with the
first call and ends after each operation. Every call carries an admin token, so authorization
does not hide the handlers behind a 403 (schemathesis still drops it on purpose in some negative
cases, expecting a documented 401). Anything that sends to CS (再送信, release, 整合性確認)
reaches the fake CS only.

The checks: no 5xx, every status code documented, content types, bodies and headers (problem+json
included) as declared. Examples are bounded and derandomized so the run is deterministic and
short: MAX_EXAMPLES = 25 keeps the file at about 15–20 s on two cores (200 examples took about
55 s and found nothing the 25 do not).

The record is not empty: a sent and a held 電文, a taken-in 転入通知 and a 整合性確認 are
made first (by a seeding adapter that is stopped before fuzzing), and every other generated case
has its identifiers (event id, person key, delivery ids) replaced by the seeded ones, so success
responses carrying real records are checked against their models too.
"""

from __future__ import annotations

import httpx
import pytest
from cs_adapter.bootstrap import Overrides
from cs_adapter.config import Settings
from cs_adapter.entrypoints.api.app import create_app
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

from ..builders import identity, person, wrap
from ..fake_cs import FakeCs, juminhyo_code
from .conftest import TABLES, RegistrySide, Running
from .test_delivery import Db

__all__ = ["admin_headers", "app_lifespan"]  # the shared fixtures this module uses

# Loaded eagerly so each operation is its own test; schemathesis' lazy `from_fixture` loader
# does not run under pytest 9.2 (it sets the removed `Function._nodeid`).
schema = fuzzing_schema(
    built_app(lambda: create_app(Settings()), keys_command="uv run jumin-cs-adapter dev-keys")
)
DELIVERIES = "SELECT id, person_key, event_id, status FROM cs_adapter.deliveries ORDER BY id"
NOTIFICATIONS = "SELECT 1 FROM cs_adapter.notifications"


@pytest.fixture(scope="module")
def fuzz_cs() -> FakeCs:
    """The fake CS both the seeding and the fuzzed adapter talk to."""
    return FakeCs()


@pytest.fixture(scope="module")
async def seeded(
    settings: Settings, sandbox: Sandbox, fuzz_cs: FakeCs, admin_headers: dict[str, str]
) -> SeededLedger:
    """Record a sent and a held 電文, a 転入通知 and a 整合性確認 with a seeding adapter."""
    await (await emptied_schema(settings, sandbox, "cs_adapter", TABLES)).close()
    app = create_app(
        settings, Overrides(cs_transport=fuzz_cs.transport(), topology=sandbox.topology)
    )
    admin = admin_headers
    async with running_app(app, "http://cs-adapter") as api, registry_side(sandbox) as registry:
        alice, bob = person(), person()
        sent = wrap(identity(), alice, 1)
        await registry.publish(sent)
        await eventually(lambda: owner_rows(settings, DELIVERIES), until=bool, what="one sent")
        await switch_manual_mode(api, admin, manual=True, reason="CS保守")
        await registry.publish(wrap(identity(juminhyo_code=juminhyo_code(42)), bob, 1))
        rows = await eventually(
            lambda: owner_rows(settings, DELIVERIES), until=lambda r: len(r) == 2, what="one held"
        )
        await switch_manual_mode(api, admin, manual=False, reason="CS保守終了")
        fuzz_cs.queue_move_in(juminhyo_code(43), "2026-11-20", "大阪府大阪市北区中之島一丁目3番")
        await eventually(
            lambda: owner_rows(settings, NOTIFICATIONS), until=bool, what="a notice taken in"
        )
        checked = await api.post("/operator/consistency-checks", headers=admin)
        assert checked.status_code == 201, checked.text
    assert [(r["person_key"], r["status"]) for r in rows] == [(alice, "sent"), (bob, "held")]
    return SeededLedger(
        person_key=alice, event_id=str(sent.event_id), sent_id=rows[0]["id"], held_id=rows[1]["id"]
    )


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings, sandbox: Sandbox, fuzz_cs: FakeCs) -> FastAPI:
    """The app the fuzzer calls; schemathesis runs its lifespan."""
    return create_app(
        settings, Overrides(cs_transport=fuzz_cs.transport(), topology=sandbox.topology)
    )


test_every_operation_answers_as_documented = every_operation_test(schema)


# ---- fixed cases: what fuzzing found (each was a 500) ---------------------------------------------
NUL = "CS保守\x00のため"
BIGINT_MAX = 2**63 - 1


async def test_a_nul_in_a_reason_is_refused_and_switches_nothing(adapter: Running, db: Db) -> None:
    # Found by fuzzing: PostgreSQL text cannot hold NUL (CharacterNotInRepertoireError, a 500).
    before = await adapter.api.get("/operator/manual-mode", headers=adapter.admin)

    switched = await adapter.api.put(
        "/operator/manual-mode", json={"manual": True, "reason": NUL}, headers=adapter.admin
    )

    _assert_refused(switched)
    after = await adapter.api.get("/operator/manual-mode", headers=adapter.admin)
    assert after.json() == before.json()
    assert after.json()["manual"] is False


async def test_a_nul_in_a_hand_over_or_resend_reason_is_refused_and_changes_nothing(
    adapter: Running, registry: RegistrySide, db: Db
) -> None:
    held_id = await _one_held(adapter, registry, db)

    handed = await adapter.api.post(
        "/operator/held/handed-over", json={"ids": [held_id], "reason": NUL}, headers=adapter.admin
    )
    resent = await adapter.api.post(
        "/operator/deliveries/resend",
        json={"delivery_ids": [held_id], "reason": NUL},
        headers=adapter.admin,
    )

    _assert_refused(handed)
    _assert_refused(resent)
    rows = await db.fetch("SELECT id, status, operator FROM cs_adapter.deliveries")
    assert [tuple(r) for r in rows] == [(held_id, "held", None)]


async def test_a_nul_in_the_person_key_filter_is_refused(adapter: Running, db: Db) -> None:
    found = await adapter.api.get(
        "/operator/deliveries", params={"person_key": "p\x00"}, headers=adapter.admin
    )

    _assert_refused(found)


@pytest.mark.parametrize("bad_id", [BIGINT_MAX + 1, -(2**70), 0])
async def test_delivery_ids_outside_bigint_are_refused_and_change_nothing(
    adapter: Running, registry: RegistrySide, db: Db, bad_id: int
) -> None:
    # Found by fuzzing: ids past bigint made asyncpg fail to encode the query (DataError, a 500).
    held_id = await _one_held(adapter, registry, db)

    handed = await adapter.api.post(
        "/operator/held/handed-over",
        json={"ids": [held_id, bad_id], "reason": "窓口で手渡し"},
        headers=adapter.admin,
    )
    resent = await adapter.api.post(
        "/operator/deliveries/resend", json={"delivery_ids": [bad_id]}, headers=adapter.admin
    )

    _assert_refused(handed)
    _assert_refused(resent)
    rows = await db.fetch("SELECT id, status FROM cs_adapter.deliveries")
    assert [tuple(r) for r in rows] == [(held_id, "held")]


async def _one_held(adapter: Running, registry: RegistrySide, db: Db) -> int:
    """Hold one 電文 (manual mode on, then off again) and return its delivery id."""
    await switch_manual_mode(adapter.api, adapter.admin, manual=True, reason="CS保守")
    await registry.publish(wrap(identity(), person(), 1))
    rows = await eventually(
        lambda: db.fetch("SELECT id, status FROM cs_adapter.deliveries"), until=bool, what="held"
    )
    assert rows[0]["status"] == "held"
    await switch_manual_mode(adapter.api, adapter.admin, manual=False, reason="CS保守終了")
    held_id: int = rows[0]["id"]
    return held_id


def _assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert NUL not in response.text  # nothing the caller sent is echoed
