"""The consumer path on the real broker and database against the real 戸籍附票システム simulator:
deliver, record, replay, retry, block, resend.

Proven, consuming `koseki.events` as `jumin_koseki_adapter`:

- a notice goes in the 附票 formats under the key derived from the event and is recorded
  (fields, 受付番号, trace id); the registry redelivering the event sends nothing twice;
- a lost reply is retried under the same key and answered from the stored 照合結果 (replayed):
  the 附票 system applied it once;
- a 照合不一致 is recorded rejected with its codes, blocks that person (their later notices
  park) while other people's notices flow; after the 戸籍 side is corrected the operator's
  resend (new key) is accepted, and skipping the blocked event lets the parked ones through.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from jumin_contracts.codes import ChangeKind
from jumin_testing.waiting import eventually
from koseki_adapter.domain.fuhyo_notices import notice_key

from ..builders import fuhyo_notice, juminhyo_code, koseki, member, person, wrap
from ..simulated import Simulated
from .conftest import Db, RegistrySide, Running

HANAKO, TARO = juminhyo_code(2), juminhyo_code(1)


async def deliveries(db: Db, person_key: str) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT * FROM koseki_adapter.deliveries WHERE person_key = $1 ORDER BY id", person_key
    )
    return [dict(row) for row in rows]


def statuses(rows: list[dict[str, Any]]) -> list[str]:
    return [row["status"] for row in rows]


async def test_a_notice_is_sent_in_fuhyo_form_under_the_events_key_and_recorded(
    adapter: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await system.seed(koseki(member(HANAKO, "花子")))
    hanako = person()
    envelope = wrap(fuhyo_notice(birth_date="1982-02-02"), hanako, 1)
    await registry.publish(envelope)
    await registry.publish(envelope)  # the relay redelivers: the inbox keeps it to one

    (row,) = await eventually(
        lambda: deliveries(db, hanako), until=lambda r: len(r) == 1, what="one delivery"
    )
    (received,) = await system.received(event_id=str(envelope.event_id))
    assert (row["type"], row["status"], row["receipt_no"]) == (
        "fuhyo_notice",
        "sent",
        received["receipt_no"],
    )
    assert row["idempotency_key"] == notice_key(envelope.event_id)
    assert received["idempotency_key"] == str(row["idempotency_key"])
    assert received["body"]["address_since"] == "20261120"
    assert received["body"]["sex"] == "2"
    assert received["body"]["change_reason"] == ChangeKind.MOVE_WITHIN_WARD.value
    assert row["body"] == received["body"]
    assert {"honseki", "address", "juminhyo_code"} <= set(row["fields"])
    assert row["trace_id"]
    assert row["trace_id"] in (received["traceparent"] or "")
    counts = await system.counts()
    assert counts[str(envelope.event_id)]["accepted"] == 1


async def test_a_lost_reply_is_retried_under_the_same_key_and_applied_once(
    adapter: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await system.seed(koseki(member(HANAKO, "花子")))
    await system.faults(lost_reply_rate=1.0)
    hanako = person()
    envelope = wrap(fuhyo_notice(), hanako, 1)
    await registry.publish(envelope)
    await eventually(lambda: deliveries(db, hanako), until=bool, what="the failed attempt")
    await system.faults()

    rows = await eventually(
        lambda: deliveries(db, hanako),
        until=lambda r: statuses(r)[-1:] == ["sent"],
        what="retried and sent",
    )
    assert set(statuses(rows[:-1])) == {"failed"}
    assert (rows[0]["reply_status"], rows[0]["reply_code"]) == (503, "E-BUSY")
    assert rows[-1]["replayed"], "the 附票 system answered from the stored 照合結果"
    assert {row["idempotency_key"] for row in rows} == {notice_key(envelope.event_id)}
    assert len({row["receipt_no"] for row in rows if row["receipt_no"]}) == 1
    assert (await system.counts())[str(envelope.event_id)]["accepted"] == 1


async def test_a_mismatch_blocks_that_person_only_and_a_resend_after_correction_clears_it(
    adapter: Running, registry: RegistrySide, system: Simulated, db: Db
) -> None:
    await system.seed(koseki(member(TARO, "太郎", sex="1"), member(HANAKO, "花子")))
    hanako, taro = person(), person()
    wrong = wrap(fuhyo_notice(given_name="華子"), hanako, 1)
    later = wrap(fuhyo_notice(given_name="華子", address_since="2026-12-01"), hanako, 2)
    for envelope in (wrong, later):
        await registry.publish(envelope)
    await registry.publish(
        wrap(fuhyo_notice(juminhyo_code=TARO, given_name="太郎", sex="male"), taro, 1)
    )

    await eventually(
        lambda: deliveries(db, taro), until=lambda r: statuses(r) == ["sent"], what="taro flows"
    )
    blocked = await eventually(
        lambda: adapter.api.get("/operator/blocked", headers=adapter.admin),
        until=lambda r: any(b["person_key"] == hanako for b in r.json()),
        what="hanako blocked",
    )
    reason = next(b for b in blocked.json() if b["person_key"] == hanako)["reason"]
    assert reason == "fuhyo_notice: koseki 422 E-NAME-MISMATCH: E-NAME-MISMATCH"
    await eventually(
        lambda: adapter.api.get("/operator/parked", headers=adapter.admin),
        until=lambda r: [p["seq"] for p in r.json() if p["person_key"] == hanako] == [2],
        what="hanako's seq 2 parked",
    )
    (rejected,) = await deliveries(db, hanako)
    assert (rejected["status"], rejected["reply_status"]) == ("rejected", 422)
    assert rejected["reply_code"] == "E-NAME-MISMATCH"
    assert rejected["receipt_no"], "received by the 附票 system, though not applied"

    await system.seed(koseki(member(TARO, "太郎", sex="1"), member(HANAKO, "華子")))
    resent = await adapter.api.post(
        "/operator/deliveries/resend",
        json={"delivery_ids": [rejected["id"]], "reason": "戸籍側の氏名を確認・訂正済み"},
        headers=adapter.admin,
    )
    assert resent.status_code == 200, resent.text
    assert resent.json()[0]["outcome"] == "sent"
    skipped = await adapter.api.post(
        f"/operator/skip/{wrong.event_id}",
        json={"reason": "再送信で送付済み"},
        headers=adapter.admin,
    )
    assert skipped.status_code == 200, skipped.text

    rows = await eventually(
        lambda: deliveries(db, hanako),
        until=lambda r: statuses(r) == ["rejected", "sent", "sent"],
        what="the resend and the parked notice sent",
    )
    assert rows[1]["resend_of"] == rejected["id"]
    assert rows[1]["operator"] == "ops-tanaka"
    assert rows[2]["event_id"] == later.event_id
    sent_order = [r["body"]["address_since"] for r in await system.received(juminhyo_code=HANAKO)]
    assert sent_order == ["20261120", "20261120", "20261201"]  # the refused one, resent, later
    counts = await system.counts()
    assert counts[str(wrong.event_id)]["accepted"] == 2  # two keys: the first and the resend
    assert counts[str(later.event_id)]["accepted"] == 1
    blocked_now = await adapter.api.get("/operator/blocked", headers=adapter.admin)
    assert all(b["person_key"] != hanako for b in blocked_now.json())
    assert UUID(str(rows[2]["idempotency_key"])) == notice_key(later.event_id)
