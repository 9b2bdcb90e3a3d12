"""アクセスログ (spec 10.2) of the operator API on real PostgreSQL: one hash-chained row per call
with who, where, what and whom; append-only; tampering detected; no answer without a row."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from cs_adapter.bootstrap import ACCESS_LOG
from cs_adapter.config import Settings
from jumin_testing.access_log_tamper import (
    AuditCli,
    Superuser,
    assert_service_role_cannot_change,
    tail_removed,
)
from jumin_testing.waiting import eventually

from ..builders import identity, person, wrap
from .conftest import TEST_TERMINAL, RegistrySide, Running
from .test_delivery import Db, deliveries, statuses

REPO_ROOT = Path(__file__).resolve().parents[4]
TERMINAL = "honcho-system-02"
MANUAL_ON = {"manual": True, "reason": "CS保守のため手動連携"}
MANUAL_OFF = {"manual": False, "reason": "CS保守終了"}


async def _last_seq(db: Db) -> int:
    return int(await db.fetchval("SELECT coalesce(max(seq), 0) FROM cs_adapter.access_log"))


async def _rows_after(db: Db, seq: int) -> list[dict[str, Any]]:
    rows = await db.fetch("SELECT * FROM cs_adapter.access_log WHERE seq > $1 ORDER BY seq", seq)
    return [dict(r) for r in rows]


def _summary(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["operator"],
        row["terminal"],
        row["function"],
        row["subjects"],
        row["my_number_accessed"],
        row["outcome"],
        row["status_code"],
    )


async def _held_for(adapter: Running, registry: RegistrySide, db: Db, *people: str) -> None:
    switched = await adapter.api.put("/operator/manual-mode", json=MANUAL_ON, headers=adapter.admin)
    assert switched.status_code == 200, switched.text
    for key in people:
        await registry.publish(wrap(identity(), key, 1))
        await _wait_for(db, key, "held")


async def _wait_for(db: Db, person_key: str, status: str) -> None:
    async def probe() -> list[tuple[str, str]]:
        return statuses(await deliveries(db, person_key))

    await eventually(probe, until=lambda s: s == [("identity", status)], what=status)


# ---- what is logged --------------------------------------------------------------------------


async def test_each_operator_call_writes_one_row_with_who_where_what_and_whom(
    adapter: Running, registry: RegistrySide, db: Db
) -> None:
    alice, bob = sorted([person(), person()])
    await _held_for(adapter, registry, db, alice, bob)
    start = await _last_seq(db)
    auditor = {**adapter.token("auditor", sub="audit-suzuki"), "X-Jumin-Terminal": TERMINAL}
    admin = adapter.token("admin", sub="ops-tanaka")

    listed = await adapter.api.get(
        "/operator/deliveries", params={"person_key": alice}, headers=auditor
    )
    held = await adapter.api.get("/operator/held", headers=admin)
    exported = await adapter.api.get("/operator/held/export?format=json", headers=admin)
    blocked = await adapter.api.get("/operator/blocked", headers=admin)  # the kit's route
    mode = await adapter.api.get("/operator/manual-mode", headers=auditor)

    assert [r.status_code for r in (listed, held, exported, blocked, mode)] == [200] * 5
    assert exported.json()[0]["body"]["my_number"] == identity().my_number
    rows = await _rows_after(db, start)
    assert [_summary(r) for r in rows] == [
        ("audit-suzuki", TERMINAL, "GET /operator/deliveries", [alice], False, "ok", 200),
        ("ops-tanaka", TEST_TERMINAL, "GET /operator/held", [alice, bob], False, "ok", 200),
        ("ops-tanaka", TEST_TERMINAL, "GET /operator/held/export", [alice, bob], True, "ok", 200),
        ("ops-tanaka", TEST_TERMINAL, "GET /operator/blocked", [], False, "ok", 200),
        ("audit-suzuki", TERMINAL, "GET /operator/manual-mode", [], False, "ok", 200),
    ]
    assert all(len(r["trace_id"] or "") == 32 for r in rows)
    assert all(alice not in r["function"] for r in rows)  # the template, never the query


async def test_a_resend_and_a_release_name_the_people_they_sent_for(
    adapter: Running, registry: RegistrySide, db: Db
) -> None:
    alice = person()
    await registry.publish(wrap(identity(), alice, 1))
    await _wait_for(db, alice, "sent")
    bob = person()
    await _held_for(adapter, registry, db, bob)
    await adapter.api.put("/operator/manual-mode", json=MANUAL_OFF, headers=adapter.admin)
    start = await _last_seq(db)

    sent_id = (await deliveries(db, alice))[0]["id"]
    resent = await adapter.api.post(
        "/operator/deliveries/resend",
        json={"delivery_ids": [sent_id], "reason": "CS側データ復旧"},
        headers=adapter.admin,
    )
    released = await adapter.api.post("/operator/held/release", headers=adapter.admin)

    assert resent.status_code == 200, resent.text
    assert "person_key" not in resent.json()[0]  # the API answer is unchanged
    assert released.status_code == 200, released.text
    rows = await _rows_after(db, start)
    assert [(r["function"], r["subjects"], r["outcome"]) for r in rows] == [
        ("POST /operator/deliveries/resend", [alice], "ok"),
        ("POST /operator/held/release", [bob], "ok"),
    ]


async def test_failed_authentication_and_missing_roles_are_logged(adapter: Running, db: Db) -> None:
    start = await _last_seq(db)

    missing = await adapter.api.get("/operator/held/export")
    forged = await adapter.api.get(
        "/operator/deliveries", headers={"Authorization": "Bearer not-a-token"}
    )
    denied = await adapter.api.get("/operator/held/export", headers=adapter.token("auditor"))

    assert [r.status_code for r in (missing, forged, denied)] == [401, 401, 403]
    rows = await _rows_after(db, start)
    assert [_summary(r) for r in rows] == [
        (None, None, "GET /operator/held/export", [], False, "unauthenticated", 401),
        (None, None, "GET /operator/deliveries", [], False, "unauthenticated", 401),
        ("ops-tanaka", TEST_TERMINAL, "GET /operator/held/export", [], False, "denied", 403),
    ]


async def test_health_and_documentation_endpoints_are_not_logged(adapter: Running, db: Db) -> None:
    start = await _last_seq(db)

    for path in ("/healthz", "/openapi.json"):
        assert (await adapter.api.get(path)).status_code == 200

    assert await _last_seq(db) == start


async def test_no_data_leaves_when_the_access_cannot_be_logged(
    adapter: Running, registry: RegistrySide, db: Db
) -> None:
    alice = person()
    await _held_for(adapter, registry, db, alice)
    start = await _last_seq(db)
    await db.execute("REVOKE INSERT ON cs_adapter.access_log FROM jumin_cs_adapter")
    try:
        response = await adapter.api.get("/operator/held/export?format=json", headers=adapter.admin)
    finally:
        await db.execute("GRANT INSERT ON cs_adapter.access_log TO jumin_cs_adapter")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert alice not in response.text
    assert str(identity().my_number) not in response.text
    assert await _last_seq(db) == start


# ---- append-only ----------------------------------------------------------------------------------


async def test_the_service_role_may_not_update_or_delete_log_rows(
    adapter: Running, settings: Settings, db: Db
) -> None:
    await adapter.api.get("/operator/manual-mode", headers=adapter.admin)
    seq = await _last_seq(db)
    await assert_service_role_cannot_change(
        settings.database_url.get_secret_value(), "cs_adapter.access_log", seq
    )
    transaction = db.transaction()  # the owner is refused by the trigger
    await transaction.start()
    try:
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="append-only"):
            await db.execute("DELETE FROM cs_adapter.access_log WHERE seq = $1", seq)
    finally:
        await transaction.rollback()


# ---- tamper detection -------------------------------------------------------------------------


CLI = AuditCli("jumin-cs-adapter", "cs_adapter.entrypoints.cli", cwd=REPO_ROOT)
_cli_verify = CLI.verify
_cli_checkpoint = CLI.checkpoint


def _superuser(settings: Settings) -> Superuser:
    """The superuser of this test's database (as root, or through sudo)."""
    return Superuser(settings.database_url.get_secret_value())


@pytest.fixture
async def some_rows(adapter: Running, db: Db) -> AsyncIterator[list[dict[str, Any]]]:
    """Append a few rows to an intact chain and return them; the chain must be intact after."""
    assert (await ACCESS_LOG.verify(db)).ok, "the chain was broken before the test"
    start = await _last_seq(db)
    for path in ("/operator/manual-mode", "/operator/held", "/operator/notifications"):
        assert (await adapter.api.get(path, headers=adapter.admin)).status_code == 200
    rows = await _rows_after(db, start)
    assert len(rows) == 3
    yield rows
    assert (await ACCESS_LOG.verify(db)).ok, "the test left the chain broken"


async def test_the_chain_verifies_and_a_changed_row_is_named_by_the_cli(
    settings: Settings, some_rows: list[dict[str, Any]]
) -> None:
    intact = _cli_verify()
    assert intact.returncode == 0, intact.stderr
    assert "intact" in intact.stdout
    target = some_rows[1]
    seq = target["seq"]
    superuser = _superuser(settings)

    superuser.run(f"UPDATE cs_adapter.access_log SET operator = 'someone_else' WHERE seq = {seq}")
    try:
        tampered = _cli_verify()
    finally:
        superuser.run(
            f"UPDATE cs_adapter.access_log SET operator = '{target['operator']}' WHERE seq = {seq}"
        )

    assert tampered.returncode == 1
    assert f"seq={seq}:" in tampered.stderr
    assert "changed" in tampered.stderr
    assert _cli_verify().returncode == 0


async def test_a_changed_timestamp_is_detected_at_that_row(
    settings: Settings, some_rows: list[dict[str, Any]]
) -> None:
    target = some_rows[0]
    seq = target["seq"]
    original: datetime = target["occurred_at"]
    superuser = _superuser(settings)

    superuser.run(
        "UPDATE cs_adapter.access_log SET occurred_at = occurred_at - interval '1 hour'"
        f" WHERE seq = {seq}"
    )
    try:
        reader = await asyncpg.connect(settings.database_url.get_secret_value())
        try:
            report = await ACCESS_LOG.verify(reader)
            # stopping at the bad row ends the scan's transaction too (the connection is reusable)
            assert not reader.is_in_transaction()
        finally:
            await reader.close()
    finally:
        superuser.run(
            f"UPDATE cs_adapter.access_log SET occurred_at = '{original.isoformat()}'::timestamptz"
            f" WHERE seq = {seq}"
        )

    assert not report.ok
    assert report.first_bad_seq == seq


# ---- checkpoints: the tail the chain alone cannot vouch for ---------------------------------------


async def test_a_checkpoint_stays_valid_while_rows_are_appended(adapter: Running, db: Db) -> None:
    await adapter.api.get("/operator/manual-mode", headers=adapter.admin)
    (head,) = await _rows_after(db, await _last_seq(db) - 1)

    line = _cli_checkpoint()
    await adapter.api.get("/operator/held", headers=adapter.admin)
    verified = _cli_verify("--expect", line)

    assert line == f"{head['seq']}:{head['row_hash'].hex()}"
    assert await _last_seq(db) > head["seq"]
    assert verified.returncode == 0, verified.stderr
    assert "1 checkpoint(s) met" in verified.stdout


async def test_a_truncated_tail_is_caught_only_against_a_checkpoint(
    settings: Settings, db: Db, some_rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    line = _cli_checkpoint()
    kept, removed = some_rows[0], some_rows[1:]
    checkpoints = tmp_path / "checkpoints.txt"
    checkpoints.write_text(f"{line}\n")
    superuser = _superuser(settings)

    # no API call while the tail is gone: it would append a row where the removed ones belong
    with tail_removed(superuser, "cs_adapter.access_log", removed):
        bare = _cli_verify()
        expected = _cli_verify("--expect", line)
        from_file = _cli_verify("--checkpoints", str(checkpoints))

    # the weakness: what remains of the chain is still a valid chain
    assert bare.returncode == 0, bare.stderr
    assert f"intact: {kept['seq']} rows" in bare.stdout
    for verdict in (expected, from_file):
        assert verdict.returncode == 1
        assert f"rows after {kept['seq']} are missing (tail truncated)" in verdict.stderr
    assert await _rows_after(db, kept["seq"]) == removed
    assert _cli_verify("--expect", line).returncode == 0


async def test_a_checkpoint_whose_hash_does_not_match_fails_verification(
    some_rows: list[dict[str, Any]],
) -> None:
    seq = some_rows[0]["seq"]

    forged = _cli_verify("--expect", f"{seq}:{'f' * 64}")
    malformed = _cli_verify("--expect", f"{seq}:not-a-hash")

    assert forged.returncode == 1
    assert f"seq={seq}:" in forged.stderr
    assert f"does not match checkpoint {seq}:{'f' * 64}" in forged.stderr
    assert malformed.returncode == 2
    assert "not a checkpoint" in malformed.stderr
