"""The sending side on the real broker and database against the real 連携サーバ simulator.

Proven, consuming `moj.events` as `jumin_moj_notify`:

- a 法第30条の46転入 is one 市町村通知 and one 市町村伝達, each sent once under its own key and
  recorded, even when the registry redelivers the event;
- a 国外転出 whose 予定日 is two days ahead is held, and the person's later notice waits behind
  it; when the clock reaches the day both go, in order;
- the schedule survives a restart of the service;
- a lost reply and a busy ministry are retried under the same key: received once;
- a 国籍・地域 the table lacks is refused to the operator (dead letter), nothing is sent.
"""

from __future__ import annotations

from datetime import date, timedelta

from jumin_contracts.codes import ChangeKind
from jumin_contracts.messages import NoticeClass
from jumin_testing.adapter_harness import running_app
from jumin_testing.waiting import eventually
from moj_notify.domain.notices import notice_key

from ..builders import event, municipal_notice, person
from ..simulated import Simulated
from .conftest import Clock, Db, RegistrySide, Running, StartService, service_app
from .world import deliveries, scheduled, statuses


def move_out_abroad(on: date) -> object:
    return municipal_notice(
        change_kind=ChangeKind.MOVE_OUT_ABROAD,
        occurred_on=on.isoformat(),
        notice_class=NoticeClass.JUKI,
    )


async def test_a_30_46_move_in_is_sent_once_as_notice_and_transmission(
    service: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    someone = person()
    envelope = event(municipal_notice(), someone)
    await registry.publish(envelope)
    await registry.publish(envelope)  # the relay redelivers: scheduled once

    rows = await eventually(
        lambda: deliveries(db, someone),
        until=lambda r: statuses(r) == ["sent", "sent"],
        what="both sent",
    )
    received = await system.received(event_id=str(envelope.event_id))
    assert [r["type"] for r in received] == ["municipal_notice", "municipal_transmission"]
    assert [r["idempotency_key"] for r in received] == [
        str(notice_key(envelope.event_id, "municipal_notice")),
        str(notice_key(envelope.event_id, "municipal_transmission")),
    ]
    assert [row["receipt_no"] for row in rows] == [r["receipt_no"] for r in received]
    assert received[1]["body"]["filing_article"] == "19-7"
    assert received[0]["body"]["nationality"] == "VNM"
    assert rows[0]["trace_id"]
    assert rows[0]["trace_id"] in (received[0]["traceparent"] or "")
    assert statuses(await scheduled(db, someone)) == ["sent", "sent"]
    assert (await system.counts())[str(envelope.event_id)]["accepted"] == 2


async def test_a_planned_move_out_waits_for_its_day_and_the_persons_next_notice_behind_it(
    service: Running, registry: RegistrySide, system: Simulated, db: Db, clock: Clock
) -> None:
    someone, other = person(), person()
    in_two_days = clock().date() + timedelta(days=2)
    planned = event(move_out_abroad(in_two_days), someone, 1)
    later = event(municipal_notice(change_kind=ChangeKind.MOVE_WITHIN_WARD), someone, 2)
    await registry.publish(planned)
    await registry.publish(later)
    await registry.publish(event(municipal_notice(), other, 1))

    await eventually(
        lambda: deliveries(db, other), until=lambda r: len(r) == 2, what="the other person sent"
    )
    rows = await scheduled(db, someone)
    assert statuses(rows) == ["pending", "pending", "pending"]
    assert await system.received(event_id=str(planned.event_id)) == []
    listed = await service.api.get(
        "/operator/scheduled", params={"person_key": someone}, headers=service.admin
    )
    assert listed.status_code == 200, listed.text
    by_id = {item["id"]: item for item in listed.json()}
    head = by_id[rows[0]["id"]]
    assert (head["waiting_for"], head["not_before"]) == ("date", in_two_days.isoformat())
    assert {by_id[r["id"]]["behind"] for r in rows[1:]} == {rows[0]["id"]}
    assert "body" not in head

    clock.advance(timedelta(days=2))
    await eventually(
        lambda: deliveries(db, someone), until=lambda r: len(r) == 3, what="sent on the day"
    )
    received = [r["event_id"] for r in await system.received()]
    assert received.index(str(planned.event_id)) < received.index(str(later.event_id))


async def test_the_schedule_survives_a_restart(
    settings: object,
    sandbox: object,
    registry: RegistrySide,
    system: Simulated,
    db: Db,
    clock: Clock,
) -> None:
    someone = person()
    planned = event(move_out_abroad(clock().date() + timedelta(days=2)), someone)
    app = service_app(settings, sandbox, system, clock)  # type: ignore[arg-type]
    async with running_app(app, "http://moj-notify"):
        await registry.publish(planned)
        await eventually(lambda: scheduled(db, someone), what="scheduled")
    clock.advance(timedelta(days=2))
    assert await system.received(event_id=str(planned.event_id)) == []
    app = service_app(settings, sandbox, system, clock)  # type: ignore[arg-type]
    async with running_app(app, "http://moj-notify"):
        await eventually(
            lambda: system.received(event_id=str(planned.event_id)), what="sent after restart"
        )
    assert statuses(await scheduled(db, someone)) == ["sent"]


async def test_a_lost_reply_and_a_busy_ministry_are_retried_and_received_once(
    start_service: StartService, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await system.faults(lost_reply_rate=1.0)
    await start_service()
    someone = person()
    envelope = event(municipal_notice(change_kind=ChangeKind.MOVE_WITHIN_WARD), someone)
    await registry.publish(envelope)
    await eventually(
        lambda: deliveries(db, someone),
        until=lambda r: "failed" in statuses(r),
        what="an unanswered attempt",
    )
    await system.faults(error_rate=1.0)
    await eventually(
        lambda: deliveries(db, someone),
        until=lambda r: statuses(r).count("failed") >= 3,
        what="busy answers",
    )
    await system.sim.delete("/sim/faults")
    rows = await eventually(
        lambda: deliveries(db, someone),
        until=lambda r: statuses(r).count("sent") == 2,
        what="sent",
    )
    sent = [row for row in rows if row["status"] == "sent"]
    assert {row["replayed"] for row in sent if row["type"] == "municipal_notice"} == {True}
    counts = (await system.counts())[str(envelope.event_id)]
    assert counts["accepted"] == 2  # one notice, one transmission: nothing twice
    assert counts["attempts"] > 2


async def test_an_unknown_nationality_goes_to_the_operator_not_to_the_ministry(
    service: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    someone = person()
    envelope = event(municipal_notice(nationality="ワカンダ"), someone)
    await registry.publish(envelope)
    dead = await eventually(
        lambda: service.api.get("/operator/dead", headers=service.admin),
        until=lambda r: r.status_code == 200 and len(r.json()) == 1,
        what="dead-lettered",
    )
    (item,) = dead.json()
    assert "ワカンダ" not in str(item)
    assert await scheduled(db, someone) == []
    assert await system.received(event_id=str(envelope.event_id)) == []
