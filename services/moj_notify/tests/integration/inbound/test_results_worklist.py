"""処理結果 taken in: errors to the worklist (blocking the person), correct and resend → 正常,
mark handled, unmatched results, replays and restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
from jumin_testing.adapter_harness import RegistrySide, Running, running_app
from jumin_testing.broker import Sandbox
from jumin_testing.waiting import eventually
from moj_notify.config import Settings

from ...simulated import Simulated
from ..conftest import Clock, Db, StartService, service_app
from .world import correction_event, entries, open_blocks, send_one

pytestmark = pytest.mark.integration


async def test_an_error_blocks_the_person_until_the_corrected_resend_is_ok(
    service: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    person_key, sent = await send_one(registry, system)
    await system.result(
        receipt_no=sent["receipt_no"],
        result="error",
        error_code="R-PERSON-MISMATCH",
        error_items=["name_alphabet"],
    )
    [entry] = await eventually(lambda: entries(service), until=bool, what="a worklist entry")
    assert (entry["person_key"], entry["error_code"], entry["error_items"]) == (
        person_key,
        "R-PERSON-MISMATCH",
        ["name_alphabet"],
    )
    assert await open_blocks(db, person_key) == 1

    later = correction_event(person_key, 2)
    await registry.publish(later)
    await eventually(
        lambda: db.fetchval(
            "SELECT count(*) FROM scheduled_notices WHERE event_id = $1", later.event_id
        ),
        until=lambda n: n == 1,
        what="the later notice scheduled",
    )
    assert await system.received(event_id=str(later.event_id)) == []  # held behind the block

    view = await service.api.get(f"/operator/worklist/{entry['id']}", headers=service.admin)
    assert view.status_code == 200, view.text
    flagged = {item["name"] for item in view.json()["items"] if item["flagged"]}
    assert flagged == {"name_alphabet"}

    resent = await service.api.post(
        f"/operator/worklist/{entry['id']}/resend",
        json={"corrections": {"name_alphabet": "NGUYEN VAN ANH"}, "reason": "在留カードで確認"},
        headers=service.admin,
    )
    assert resent.status_code == 200, resent.text
    answer = resent.json()
    assert (answer["outcome"], answer["entry"]["status"]) == ("sent", "resent")
    assert answer["uncorrected_items"] == []
    first, again = await system.received(event_id=sent["event_id"])
    assert again["body"]["name_alphabet"] == "NGUYEN VAN ANH"
    assert again["idempotency_key"] != first["idempotency_key"]
    assert await system.received(event_id=str(later.event_id)) == []  # still waits

    await system.result(receipt_no=answer["receipt_no"], result="ok")
    [resolved] = await eventually(
        lambda: entries(service, "resolved"), until=bool, what="the entry resolved"
    )
    assert resolved["id"] == entry["id"]
    assert await open_blocks(db, person_key) == 0
    await eventually(
        lambda: system.received(event_id=str(later.event_id)),
        until=lambda items: len(items) == 1,
        what="the later notice sent once unblocked",
    )


async def test_marking_an_entry_handled_unblocks_the_person_and_is_access_logged(
    service: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    person_key, sent = await send_one(registry, system)
    await system.result(receipt_no=sent["receipt_no"], result="error", error_code="R-CARD-REPLACED")
    [entry] = await eventually(lambda: entries(service), until=bool, what="a worklist entry")
    later = correction_event(person_key, 2)
    await registry.publish(later)

    handled = await service.api.post(
        f"/operator/worklist/{entry['id']}/handled",
        json={"reason": "法務省に照会し記録を確認"},
        headers=service.admin,
    )

    assert handled.status_code == 200, handled.text
    assert (handled.json()["status"], handled.json()["note"]) == (
        "handled",
        "法務省に照会し記録を確認",
    )
    assert await open_blocks(db, person_key) == 0
    await eventually(
        lambda: system.received(event_id=str(later.event_id)),
        until=lambda items: len(items) == 1,
        what="the later notice sent",
    )
    again = await service.api.post(
        f"/operator/worklist/{entry['id']}/handled",
        json={"reason": "二度目"},
        headers=service.admin,
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    logged = await db.fetchval(
        "SELECT count(*) FROM access_log WHERE $1 = ANY(subjects) AND function LIKE '%handled%'",
        person_key,
    )
    assert logged >= 1


async def test_bad_corrections_are_refused_and_nothing_is_sent(
    service: Running, registry: RegistrySide, system: Simulated
) -> None:
    _, sent = await send_one(registry, system)
    await system.result(
        receipt_no=sent["receipt_no"], result="error", error_code="R-PERSON-MISMATCH"
    )
    [entry] = await eventually(lambda: entries(service), until=bool, what="a worklist entry")
    url = f"/operator/worklist/{entry['id']}/resend"

    unknown_item = await service.api.post(
        url, json={"corrections": {"shoe_size": "27"}, "reason": "x"}, headers=service.admin
    )
    bad_sex = await service.api.post(
        url, json={"corrections": {"sex": "9"}, "reason": "x"}, headers=service.admin
    )
    no_reason = await service.api.post(
        url, json={"corrections": {"sex": "2"}}, headers=service.admin
    )
    auditor = await service.api.post(
        url, json={"corrections": {"sex": "2"}, "reason": "x"}, headers=service.token("auditor")
    )
    missing = await service.api.post(
        "/operator/worklist/999999/resend",
        json={"corrections": {"sex": "2"}, "reason": "x"},
        headers=service.admin,
    )

    assert [r.status_code for r in (unknown_item, bad_sex, no_reason, auditor, missing)] == [
        422,
        422,
        422,
        403,
        404,
    ]
    assert "27" not in unknown_item.text
    assert all(
        r.headers["content-type"].startswith("application/problem+json")
        for r in (unknown_item, bad_sex, no_reason, missing)
    )
    assert len(await system.received(event_id=sent["event_id"])) == 1
    [still] = await entries(service)
    assert still["status"] == "open"


async def test_a_result_for_a_notice_not_ours_is_kept_as_unmatched_and_ok_confirms_ours(
    service: Running, registry: RegistrySide, system: Simulated
) -> None:
    _, sent = await send_one(registry, system)
    await system.result(receipt_no="MJ-999999", result="error", error_code="R-CARD-UNKNOWN")
    await system.result(receipt_no=sent["receipt_no"], result="ok")

    async def results(**query: str) -> list[dict[str, object]]:
        answer = await service.api.get(
            "/operator/results", params=query, headers=service.token("auditor")
        )
        assert answer.status_code == 200, answer.text
        found: list[dict[str, object]] = answer.json()
        return found

    [unmatched] = await eventually(
        lambda: results(unmatched="true"), until=bool, what="the unmatched result"
    )
    assert (unmatched["receipt_no"], unmatched["event_id"]) == ("MJ-999999", None)
    [confirmed] = await eventually(
        lambda: results(unmatched="false"), until=bool, what="our result"
    )
    assert (confirmed["receipt_no"], confirmed["result"]) == (sent["receipt_no"], "ok")
    assert confirmed["delivery_id"] is not None
    assert await entries(service, "all") == []


async def test_after_a_restart_the_cursor_is_kept_and_a_replayed_feed_changes_nothing(
    settings: Settings,
    sandbox: Sandbox,
    keys: Path,
    clock: Clock,
    start_service: StartService,
    registry: RegistrySide,
    system: Simulated,
    db: Db,
) -> None:
    async with running_app(
        service_app(settings, sandbox, system, clock), "http://moj-notify"
    ) as api:
        first = Running(api, settings, keys)
        _, sent = await send_one(registry, system)
        await system.result(
            receipt_no=sent["receipt_no"], result="error", error_code="R-CARD-REPLACED"
        )
        await eventually(lambda: entries(first), until=bool, what="a worklist entry")
    cursor = await db.fetchval("SELECT cursor FROM notification_cursor")

    await system.result(receipt_no="MJ-888888", result="ok")
    again = await start_service()
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM results"), until=lambda n: n == 2, what="both"
    )
    assert await db.fetchval("SELECT cursor FROM notification_cursor") > cursor
    assert await db.fetchval("SELECT count(*) FROM notifications") == 2

    # The feed read again from the start (a cursor lost): the same items change nothing.
    await db.execute("UPDATE notification_cursor SET cursor = 0")
    await eventually(
        lambda: db.fetchval("SELECT cursor FROM notification_cursor"),
        until=lambda c: c > cursor,
        what="the feed read again",
    )
    assert await db.fetchval("SELECT count(*) FROM results") == 2
    assert len(await entries(again, "all")) == 1
    assert await db.fetchval("SELECT count(*) FROM person_blocks") == 1
