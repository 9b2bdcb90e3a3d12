"""The operator API on the real stack: readiness, a refusal blocking the person until the
operator retries or withdraws, 手動連携, roles, bad input answered 4xx without change, and the
hash-chained アクセスログ of every call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jumin_contracts.codes import ChangeKind
from jumin_testing.access_log_tamper import AuditCli
from jumin_testing.adapter_harness import TEST_TERMINAL
from jumin_testing.waiting import eventually

from ..builders import CARD_NO, event, municipal_notice, person
from ..simulated import Simulated
from .conftest import Db, RegistrySide, Running
from .world import deliveries, scheduled, statuses

REPO_ROOT = Path(__file__).resolve().parents[4]
CLI = AuditCli("jumin-moj-notify", "moj_notify.entrypoints.cli", cwd=REPO_ROOT)
MOVE = ChangeKind.MOVE_WITHIN_WARD


async def _refused(service: Running, registry: RegistrySide, db: Db, someone: str) -> list[int]:
    """Publish two 転居 of the person while the ministry rejects their card: the first is
    refused, the second waits behind it; their schedule ids."""
    for seq in (1, 2):
        await registry.publish(event(municipal_notice(change_kind=MOVE), someone, seq))
    rows = await eventually(
        lambda: scheduled(db, someone),
        until=lambda r: statuses(r) == ["refused", "pending"],
        what="refused",
    )
    return [row["id"] for row in rows]


async def test_readiness_reports_database_broker_and_manual_mode(service: Running) -> None:
    ready = await service.api.get("/readyz")
    assert ready.status_code == 200, ready.text
    report = ready.json()
    assert report.pop("moj") in {"unknown", "reachable"}
    assert report == {
        "status": "ready",
        "broker": "ok",
        "database": "ok",
        "manual_mode": False,
        "notification_cursor": 0,
    }


async def test_a_refusal_blocks_the_person_until_the_operator_retries(
    service: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await system.faults(reject_card_nos=[CARD_NO])
    someone = person()
    first, second = await _refused(service, registry, db, someone)
    listed = await service.api.get(
        "/operator/scheduled", params={"status": "refused"}, headers=service.admin
    )
    (item,) = listed.json()
    assert (item["id"], item["waiting_for"]) == (first, "operator")
    assert item["last_reply"] == "MOJ 422 E-REJECTED"
    behind = await service.api.get(
        "/operator/scheduled", params={"status": "pending"}, headers=service.admin
    )
    assert [(i["id"], i["waiting_for"], i["behind"]) for i in behind.json()] == [
        (second, "earlier_notice", first)
    ]
    assert len(await system.received()) == 0

    await system.sim.delete("/sim/faults")
    retried = await service.api.post(
        f"/operator/scheduled/{first}/retry", json={"reason": "照合済み"}, headers=service.admin
    )
    assert retried.status_code == 200, retried.text
    rows = await eventually(
        lambda: scheduled(db, someone),
        until=lambda r: statuses(r) == ["sent", "sent"],
        what="both sent after the retry",
    )
    assert rows[0]["operator"] == "ops-tanaka"
    assert [r["event_id"] for r in await system.received()] == [
        str(row["event_id"]) for row in rows
    ]
    assert statuses(await deliveries(db, someone)) == ["rejected", "sent", "sent"]


async def test_a_withdrawn_notice_is_never_sent_and_the_next_one_goes(
    service: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await system.faults(reject_card_nos=[CARD_NO])
    someone = person()
    first, _ = await _refused(service, registry, db, someone)
    await system.sim.delete("/sim/faults")
    withdrawn = await service.api.post(
        f"/operator/scheduled/{first}/withdraw", json={"reason": "誤送信"}, headers=service.admin
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    await eventually(
        lambda: scheduled(db, someone),
        until=lambda r: statuses(r) == ["withdrawn", "sent"],
        what="the next one sent",
    )
    again = await service.api.post(
        f"/operator/scheduled/{first}/retry", json={"reason": "x"}, headers=service.admin
    )
    assert again.status_code == 409
    assert len(await system.received()) == 1


async def test_manual_hand_over_holds_scheduled_notices_in_the_record(
    service: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    manual = {"manual": True, "reason": "連携端末保守"}
    switched = await service.api.put("/operator/manual-mode", json=manual, headers=service.admin)
    assert switched.status_code == 200, switched.text
    someone = person()
    await registry.publish(event(municipal_notice(change_kind=MOVE), someone))
    await eventually(
        lambda: deliveries(db, someone), until=lambda r: statuses(r) == ["held"], what="held"
    )
    automatic = {"manual": False, "reason": "保守終了"}
    await service.api.put("/operator/manual-mode", json=automatic, headers=service.admin)
    released = await service.api.post("/operator/held/release", headers=service.admin)
    assert released.status_code == 200, released.text
    assert statuses(await deliveries(db, someone)) == ["sent"]
    assert statuses(await scheduled(db, someone)) == ["held"]  # the record took it over
    assert len(await system.received()) == 1


async def test_an_auditor_reads_but_may_not_act_and_bad_input_changes_nothing(
    service: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await system.faults(reject_card_nos=[CARD_NO])
    someone = person()
    first, _ = await _refused(service, registry, db, someone)
    auditor = service.token("auditor", sub="audit-suzuki")
    listed = await service.api.get("/operator/scheduled", headers=auditor)
    forbidden = await service.api.post(
        f"/operator/scheduled/{first}/withdraw", json={"reason": "x"}, headers=auditor
    )
    clerk = await service.api.get("/operator/scheduled", headers=service.token("clerk"))
    bad = [
        await service.api.post(
            f"/operator/scheduled/{first}/retry", json={"reason": ""}, headers=service.admin
        ),
        await service.api.post(
            f"/operator/scheduled/{first}/retry", json={"why": "x"}, headers=service.admin
        ),
        await service.api.post(
            "/operator/scheduled/0/withdraw", json={"reason": "x"}, headers=service.admin
        ),
        await service.api.get("/operator/scheduled?status=lost", headers=service.admin),
        await service.api.post(
            "/operator/scheduled/99999999/withdraw", json={"reason": "x"}, headers=service.admin
        ),
    ]
    assert listed.status_code == 200
    assert "body" not in listed.json()[0], "listings never carry the notice"
    assert (forbidden.status_code, clerk.status_code) == (403, 403)
    assert [b.status_code for b in bad] == [422, 422, 422, 422, 404]
    assert all(b.headers["content-type"].startswith("application/problem+json") for b in bad)
    assert statuses(await scheduled(db, someone)) == ["refused", "pending"]


async def _log_rows(db: Db, after: int) -> list[dict[str, Any]]:
    rows = await db.fetch("SELECT * FROM moj_notify.access_log WHERE seq > $1 ORDER BY seq", after)
    return [dict(row) for row in rows]


async def test_every_operator_call_is_a_hash_chained_access_log_row(
    service: Running, registry: RegistrySide, db: Db
) -> None:
    someone = person()
    await registry.publish(event(municipal_notice(change_kind=MOVE), someone))
    await eventually(lambda: deliveries(db, someone), what="sent")
    start = int(await db.fetchval("SELECT coalesce(max(seq), 0) FROM moj_notify.access_log"))

    auditor = service.token("auditor", sub="audit-suzuki")
    await service.api.get("/operator/scheduled", params={"person_key": someone}, headers=auditor)
    await service.api.get("/healthz")

    (row,) = await _log_rows(db, start)
    assert (row["operator"], row["terminal"], row["function"]) == (
        "audit-suzuki",
        TEST_TERMINAL,
        "GET /operator/scheduled",
    )
    assert row["subjects"] == [someone]
    assert (row["my_number_accessed"], row["status_code"]) == (False, 200)
    verified = CLI.verify()
    assert verified.returncode == 0, verified.stderr
    assert "intact" in verified.stdout
