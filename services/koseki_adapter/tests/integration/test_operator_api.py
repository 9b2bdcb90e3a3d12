"""The operator API on the real stack: readiness, 手動連携 (hold, hand over, release), roles, bad
input answered 4xx without change, and the hash-chained アクセスログ of every call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jumin_testing.access_log_tamper import AuditCli
from jumin_testing.adapter_harness import TEST_TERMINAL
from jumin_testing.waiting import eventually

from ..builders import fuhyo_notice, juminhyo_code, koseki, member, person, wrap
from ..simulated import Simulated
from .conftest import Db, RegistrySide, Running
from .test_delivery import deliveries, statuses

REPO_ROOT = Path(__file__).resolve().parents[4]
HANAKO = juminhyo_code(2)
MANUAL_ON = {"manual": True, "reason": "附票システム保守のため手動連携"}
MANUAL_OFF = {"manual": False, "reason": "保守終了"}
CLI = AuditCli("jumin-koseki-adapter", "koseki_adapter.entrypoints.cli", cwd=REPO_ROOT)


async def _held(adapter: Running, registry: RegistrySide, db: Db, key: str, n: int) -> list[int]:
    """Switch to 手動連携 and publish `n` notices of the person; their held delivery ids."""
    switched = await adapter.api.put("/operator/manual-mode", json=MANUAL_ON, headers=adapter.admin)
    assert switched.status_code == 200, switched.text
    for seq in range(1, n + 1):
        since = f"2026-11-{seq:02d}"
        await registry.publish(wrap(fuhyo_notice(address_since=since), key, seq))
    rows = await eventually(
        lambda: deliveries(db, key), until=lambda r: statuses(r) == ["held"] * n, what="held"
    )
    return [row["id"] for row in rows]


async def test_readiness_reports_database_broker_and_manual_mode(adapter: Running) -> None:
    ready = await adapter.api.get("/readyz")

    assert ready.status_code == 200, ready.text
    report = ready.json()
    assert report.pop("fuhyo") in {"unknown", "reachable"}  # (test_inbound: reachability)
    assert report | {"manual_mode": False} == {
        "status": "ready",
        "broker": "ok",
        "database": "ok",
        "manual_mode": False,
        "notification_cursor": 0,
    }


async def test_held_notices_are_handed_over_oldest_first_or_released_in_order(
    adapter: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await system.seed(koseki(member(HANAKO, "花子")))
    hanako = person()
    first, second, third = await _held(adapter, registry, db, hanako, 3)
    assert await system.received() == []

    out_of_order = await adapter.api.post(
        "/operator/held/handed-over",
        json={"ids": [second], "reason": "紙で引き渡し"},
        headers=adapter.admin,
    )
    assert out_of_order.status_code == 409, out_of_order.text
    assert out_of_order.headers["content-type"].startswith("application/problem+json")
    refused_release = await adapter.api.post("/operator/held/release", headers=adapter.admin)
    assert refused_release.status_code == 409  # still in 手動連携
    handed = await adapter.api.post(
        "/operator/held/handed-over",
        json={"ids": [first], "reason": "紙で引き渡し"},
        headers=adapter.admin,
    )
    assert handed.json() == {"handed_over": [first], "not_held": []}
    await adapter.api.put("/operator/manual-mode", json=MANUAL_OFF, headers=adapter.admin)
    released = await adapter.api.post("/operator/held/release", headers=adapter.admin)

    assert released.status_code == 200, released.text
    assert released.json() == {"sent": [second, third], "failed": [], "still_held": 0}
    sent = [r["body"]["address_since"] for r in await system.received()]
    assert sent == ["20261102", "20261103"]
    assert statuses(await deliveries(db, hanako)) == ["handed_over", "sent", "sent"]


async def test_an_auditor_reads_but_may_not_act_and_bad_input_changes_nothing(
    adapter: Running, registry: RegistrySide, db: Db
) -> None:
    hanako = person()
    (held_id,) = await _held(adapter, registry, db, hanako, 1)
    auditor = adapter.token("auditor", sub="audit-suzuki")

    listed = await adapter.api.get("/operator/held", headers=auditor)
    forbidden = await adapter.api.post(
        "/operator/held/handed-over", json={"ids": [held_id], "reason": "x"}, headers=auditor
    )
    bad = [
        await adapter.api.post("/operator/deliveries/resend", json={}, headers=adapter.admin),
        await adapter.api.get("/operator/deliveries?type=identity", headers=adapter.admin),
        await adapter.api.put(
            "/operator/manual-mode", json={"manual": True, "reason": ""}, headers=adapter.admin
        ),
    ]

    assert [d["id"] for d in listed.json()] == [held_id]
    assert "body" not in listed.json()[0], "listings never carry the notice"
    assert forbidden.status_code == 403
    assert [b.status_code for b in bad] == [422, 422, 422]
    assert all(b.headers["content-type"].startswith("application/problem+json") for b in bad)
    assert statuses(await deliveries(db, hanako)) == ["held"]


async def _log_rows(db: Db, after: int) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT * FROM koseki_adapter.access_log WHERE seq > $1 ORDER BY seq", after
    )
    return [dict(row) for row in rows]


async def test_every_operator_call_is_a_hash_chained_access_log_row(
    adapter: Running, registry: RegistrySide, db: Db
) -> None:
    hanako = person()
    await _held(adapter, registry, db, hanako, 1)
    start = int(await db.fetchval("SELECT coalesce(max(seq), 0) FROM koseki_adapter.access_log"))

    await adapter.api.get("/operator/held", headers=adapter.token("auditor", sub="audit-suzuki"))
    await adapter.api.get("/healthz")

    (row,) = await _log_rows(db, start)
    assert (row["operator"], row["terminal"], row["function"]) == (
        "audit-suzuki",
        TEST_TERMINAL,
        "GET /operator/held",
    )
    assert row["subjects"] == [hanako]
    assert (row["my_number_accessed"], row["status_code"]) == (False, 200)
    verified = CLI.verify()
    assert verified.returncode == 0, verified.stderr
    assert "intact" in verified.stdout
