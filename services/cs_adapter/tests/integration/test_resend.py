"""再送信 (spec 7.1.1.1): new transmissions with new keys, optionally another 異動事由."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jumin_contracts.codes import ChangeKind
from jumin_testing.waiting import eventually

from ..builders import identity, person, wrap
from ..fake_cs import FakeCs, juminhyo_code
from .conftest import RegistrySide, Running
from .test_delivery import Db, deliveries


async def test_a_resend_is_a_new_transmission_and_may_change_the_reason(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    alice = person()
    await registry.publish(wrap(identity(), alice, 1))
    original = (await eventually(lambda: deliveries(db, alice), until=bool, what="sent"))[0]

    answer = await adapter.api.post(
        "/operator/deliveries/resend",
        json={
            "delivery_ids": [original["id"]],
            "change_reason": "clerical_correction",
            "reason": "CS側の取込誤り",
        },
        headers=adapter.admin,
    )

    assert answer.status_code == 200, answer.text
    [item] = answer.json()
    assert item["outcome"] == "sent"
    rows = await deliveries(db, alice)
    resent = rows[1]
    assert resent["resend_of"] == original["id"]
    assert resent["idempotency_key"] != original["idempotency_key"]
    assert resent["event_id"] == original["event_id"]
    assert resent["change_reason"] == "clerical_correction"
    assert (resent["operator"], resent["note"]) == ("ops-tanaka", "CS側の取込誤り")
    assert resent["my_number_sealed"].startswith("mn1:")
    sent = fake_cs.received[str(resent["idempotency_key"])]
    assert sent.body["change_reason"] == "clerical_correction"
    assert sent.body["my_number"] == identity().my_number  # unsealed to send again
    listed = await adapter.api.get(
        "/operator/deliveries",
        params={"person_key": alice, "type": "identity"},
        headers=adapter.token("auditor"),
    )
    assert [d["id"] for d in listed.json()] == [resent["id"], original["id"]]


async def test_an_older_message_is_not_resent_over_a_newer_one_unless_both_go(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    alice = person()
    started = datetime.now(UTC) - timedelta(seconds=1)
    await registry.publish(wrap(identity(address="旧住所"), alice, 1))
    await registry.publish(wrap(identity(address="新住所"), alice, 2))
    rows = await eventually(lambda: deliveries(db, alice), until=lambda r: len(r) == 2, what="2")

    alone = await adapter.api.post(
        "/operator/deliveries/resend",
        json={"delivery_ids": [rows[0]["id"]]},
        headers=adapter.admin,
    )
    assert alone.json()[0]["outcome"].startswith("superseded")
    window = {"from": started.isoformat(), "to": datetime.now(UTC).isoformat()}
    both = await adapter.api.post("/operator/deliveries/resend", json=window, headers=adapter.admin)

    assert [i["outcome"] for i in both.json()] == ["sent", "sent"]
    assert fake_cs.identities[juminhyo_code(123_456_789)].body["address"] == "新住所"


async def test_resend_input_is_checked(adapter: Running) -> None:
    neither = await adapter.api.post("/operator/deliveries/resend", json={}, headers=adapter.admin)
    unknown = await adapter.api.post(
        "/operator/deliveries/resend", json={"delivery_ids": [424242]}, headers=adapter.admin
    )
    bad_reason = await adapter.api.post(
        "/operator/deliveries/resend",
        json={"delivery_ids": [1], "change_reason": "moved"},
        headers=adapter.admin,
    )
    auditor = await adapter.api.post(
        "/operator/deliveries/resend", json={"delivery_ids": [1]}, headers=adapter.token("auditor")
    )
    anonymous = await adapter.api.get("/operator/deliveries")

    assert (neither.status_code, unknown.status_code, bad_reason.status_code) == (422, 404, 422)
    assert (auditor.status_code, anonymous.status_code) == (403, 401)
    for answer in (neither, unknown, auditor, anonymous):
        assert answer.headers["content-type"] == "application/problem+json"


async def test_a_resent_number_request_keeps_its_key_so_cs_generates_no_second_number(
    adapter: Running, registry: RegistrySide, fake_cs: FakeCs, db: Db
) -> None:
    baby, code = person(), juminhyo_code(4242)
    birth = identity(change_kind=ChangeKind.BIRTH, my_number=None, juminhyo_code=code)
    await registry.publish(wrap(birth, baby, 1))
    rows = await eventually(lambda: deliveries(db, baby), until=lambda r: len(r) == 2, what="2")
    request = next(r for r in rows if r["type"] == "my_number_request")

    answer = await adapter.api.post(
        "/operator/deliveries/resend",
        json={"delivery_ids": [request["id"]], "reason": "CS側の取込誤り"},
        headers=adapter.admin,
    )

    assert answer.status_code == 200, answer.text
    assert [item["outcome"] for item in answer.json()] == ["sent"]
    resent = (await deliveries(db, baby))[-1]
    assert resent["resend_of"] == request["id"]
    assert resent["idempotency_key"] == request["idempotency_key"]  # CS replays, no new number
    assert len(fake_cs.of_type("my_number_request")) == 1
