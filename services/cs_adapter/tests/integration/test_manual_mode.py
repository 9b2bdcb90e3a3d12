"""手動連携 (spec 7.1.1.1): hold, export, hand over, release in order."""

from __future__ import annotations

import csv
import io
import json

import httpx
from jumin_testing.waiting import eventually

from ..builders import identity, person, wrap
from ..fake_cs import FakeCs, juminhyo_code
from .conftest import RegistrySide, Running
from .test_delivery import Db, deliveries, statuses

MANUAL_ON = {"manual": True, "reason": "CS保守のため手動連携"}
MANUAL_OFF = {"manual": False, "reason": "CS保守終了"}


async def test_held_messages_are_exported_then_released_in_order(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    alice = person()
    switched = await adapter.api.put("/operator/manual-mode", json=MANUAL_ON, headers=adapter.admin)
    assert switched.status_code == 200, switched.text
    assert switched.json()["manual"] is True
    first, second = (
        wrap(identity(), alice, 1),
        wrap(identity(address="新宿区西新宿二丁目"), alice, 2),
    )
    await registry.publish(first)
    await registry.publish(second)
    await eventually(lambda: deliveries(db, alice), until=lambda r: len(r) == 2, what="two held")
    assert statuses(await deliveries(db, alice)) == [("identity", "held")] * 2
    assert fake_cs.received == {}

    held = await adapter.api.get("/operator/held", headers=adapter.token("auditor"))
    assert [h["event_id"] for h in held.json()] == [str(first.event_id), str(second.event_id)]
    assert "body" not in held.json()[0]
    exported = await adapter.api.get("/operator/held/export", headers=adapter.admin)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert json.loads(rows[0]["body"])["my_number"] == identity().my_number  # for hand-over
    forbidden = await adapter.api.get("/operator/held/export", headers=adapter.token("auditor"))
    assert forbidden.status_code == 403

    early = await adapter.api.post("/operator/held/release", headers=adapter.admin)
    assert early.status_code == 409
    assert early.headers["content-type"] == "application/problem+json"

    await adapter.api.put("/operator/manual-mode", json=MANUAL_OFF, headers=adapter.admin)
    third = wrap(identity(address="新宿区西新宿三丁目"), alice, 3)
    await registry.publish(third)
    await eventually(lambda: deliveries(db, alice), until=lambda r: len(r) == 3, what="third")
    assert statuses(await deliveries(db, alice))[2] == ("identity", "held")  # behind the others

    released = await adapter.api.post("/operator/held/release", headers=adapter.admin)
    assert released.status_code == 200, released.text
    assert released.json()["failed"] == []
    assert released.json()["still_held"] == 0
    order = [r.event_id for r in fake_cs.received.values()]
    assert order == [str(e.event_id) for e in (first, second, third)]
    assert fake_cs.identities[juminhyo_code(123_456_789)].body["address"] == "新宿区西新宿三丁目"
    rows_after = await deliveries(db, alice)
    assert [r["status"] for r in rows_after] == ["sent"] * 3
    assert {r["operator"] for r in rows_after} == {"ops-tanaka"}

    mode = await adapter.api.get("/operator/manual-mode", headers=adapter.token("auditor"))
    assert [h["manual"] for h in mode.json()["history"]] == [False, True]


async def test_a_release_stops_for_a_person_at_their_first_failure(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    alice, bob = person(), person()
    refused = juminhyo_code(555)
    await adapter.api.put("/operator/manual-mode", json=MANUAL_ON, headers=adapter.admin)
    await registry.publish(wrap(identity(juminhyo_code=refused), alice, 1))
    await registry.publish(wrap(identity(juminhyo_code=refused), alice, 2))
    await registry.publish(wrap(identity(juminhyo_code=juminhyo_code(556)), bob, 1))
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM cs_adapter.deliveries WHERE status = 'held'"),
        until=lambda n: n == 3,
        what="three held",
    )
    await adapter.api.put("/operator/manual-mode", json=MANUAL_OFF, headers=adapter.admin)
    fake_cs.reject_codes.add(refused)

    report = (await adapter.api.post("/operator/held/release", headers=adapter.admin)).json()

    assert [f["person_key"] for f in report["failed"]] == [alice]
    assert report["failed"][0]["reply"] == "CS 422 E-REJECTED"
    assert report["still_held"] == 2
    assert statuses(await deliveries(db, bob)) == [("identity", "sent")]
    ids = [r["id"] for r in await deliveries(db, alice)]
    handed = await adapter.api.post(
        "/operator/held/handed-over",
        json={"ids": [*ids, 999_999], "reason": "媒体でCSへ引き渡し"},
        headers=adapter.admin,
    )
    assert handed.json() == {"handed_over": ids, "not_held": [999_999]}
    assert statuses(await deliveries(db, alice)) == [("identity", "handed_over")] * 2


async def test_a_hand_over_must_not_leave_an_older_held_message_of_the_person_behind(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    alice, bob = person(), person()
    await adapter.api.put("/operator/manual-mode", json=MANUAL_ON, headers=adapter.admin)
    for someone, code in ((alice, 555), (bob, 556)):
        await registry.publish(wrap(identity(juminhyo_code=juminhyo_code(code)), someone, 1))
        moved = identity(juminhyo_code=juminhyo_code(code), address="新宿区西新宿二丁目")
        await registry.publish(wrap(moved, someone, 2))
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM cs_adapter.deliveries WHERE status = 'held'"),
        until=lambda n: n == 4,
        what="four held",
    )
    alice_older, alice_later = (r["id"] for r in await deliveries(db, alice))
    bob_older, bob_later = (r["id"] for r in await deliveries(db, bob))

    async def hand(*ids: int) -> httpx.Response:
        body = {"ids": list(ids), "reason": "媒体でCSへ引き渡し"}
        return await adapter.api.post(
            "/operator/held/handed-over", json=body, headers=adapter.admin
        )

    refused = await hand(alice_later, bob_later)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    detail = refused.json()["detail"]
    assert f"{alice}: {alice_older}" in detail
    assert f"{bob}: {bob_older}" in detail
    for someone in (alice, bob):  # nothing changed
        assert statuses(await deliveries(db, someone)) == [("identity", "held")] * 2

    both = await hand(alice_later, alice_older)
    assert both.status_code == 200, both.text
    assert both.json() == {"handed_over": [alice_older, alice_later], "not_held": []}
    assert statuses(await deliveries(db, alice)) == [("identity", "handed_over")] * 2

    older_only = await hand(bob_older)
    assert older_only.status_code == 200, older_only.text
    assert older_only.json() == {"handed_over": [bob_older], "not_held": []}
    assert [r["status"] for r in await deliveries(db, bob)] == ["handed_over", "held"]
    assert fake_cs.received == {}
