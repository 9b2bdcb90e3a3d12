"""The ministry's 処理結果 of a notice, end to end: an error goes to staff and holds the person.

The ministry answers a 市町村通知 with an error (injected on its feed at once: it could not read
the 住居地); moj_notify takes it in and opens a worklist entry, which blocks that person's later
notices: a 転居 entered meanwhile waits. Staff correct the flagged item and resend; the ministry's
正常 for the resend closes the entry, and the 転居's notice goes after it — nothing lost, nothing
doubled, in order.
"""

from __future__ import annotations

from datetime import date, timedelta

from jumin_testing.e2e.clients import Outbox, RegistryClient
from jumin_testing.e2e.foreigners import foreigner
from jumin_testing.e2e.moj import (
    MUNICIPAL_NOTICE,
    MojOperatorClient,
    MojSimulatorClient,
    foreigners_moved_in,
    moj_person_key,
    notices_of,
    sent_to_moj,
)
from jumin_testing.e2e.people import move_within_ward, ward_address
from jumin_testing.waiting import eventually

ERROR = "R-ADDRESS-FORMAT"  # an injected code: the ministry could not read the 住居地


async def open_entry(operator: MojOperatorClient, receipt_no: str) -> dict[str, object]:
    entries = await eventually(
        lambda: operator.worklist("open"),
        lambda rows: any(r["receipt_no"] == receipt_no for r in rows),
        what="the error result on moj_notify's worklist",
        every=0.2,
    )
    (entry,) = [r for r in entries if r["receipt_no"] == receipt_no]
    return dict(entry)


async def test_an_error_result_is_corrected_and_resent_and_the_persons_next_notice_waits_for_it(
    registry: RegistryClient,
    moj: MojSimulatorClient,
    moj_operator: MojOperatorClient,
    outbox: Outbox,
    seen: set[str],
) -> None:
    newcomer = foreigner()
    today = date.today()
    change = await foreigners_moved_in(registry, [newcomer], seen, on=today - timedelta(days=3))
    (event_id,) = await sent_to_moj(outbox, change["change_id"])
    person_key = await moj_person_key(outbox, change["change_id"])
    received = await notices_of(moj, {event_id}, count=2)
    (notice,) = [r for r in received if r["type"] == MUNICIPAL_NOTICE]

    await moj.inject_result(
        notice["receipt_no"], "error", error_code=ERROR, error_items=["address"]
    )

    entry = await open_entry(moj_operator, notice["receipt_no"])
    assert (entry["error_code"], entry["error_items"]) == (ERROR, ["address"])
    assert entry["person_key"] == person_key
    address = ward_address()
    seen.add(address)
    (atena_no,) = change["subjects"]
    later = await registry.enter(move_within_ward([atena_no], address, today))
    after_address = (await registry.resident(atena_no))["record"]["address"]
    (later_event,) = await sent_to_moj(outbox, later["change_id"])
    waiting = await eventually(
        lambda: moj_operator.scheduled(person_key=person_key),
        lambda rows: any(r["event_id"] == later_event for r in rows),
        what="the 転居's notice on the schedule",
        every=0.2,
    )
    held = [r for r in waiting if r["event_id"] == later_event]
    assert {r["status"] for r in held} == {"pending"}
    assert "person_blocked" in {r["waiting_for"] for r in held}, "the open error holds the person"
    assert await moj.of_events({later_event}) == [], "held while the error is open"

    written = f"{notice['body']['address']} 二階"  # as the 届出 wrote it, checked at the counter
    seen.add(written)
    resent = await moj_operator.correct_and_resend(int(entry["id"]), {"address": written})

    assert resent["outcome"] == "sent"
    closed = await eventually(
        lambda: moj_operator.worklist("closed"),
        lambda rows: any(r["id"] == entry["id"] for r in rows),
        what="the entry closed by the resend's 正常",
        within=30,
        every=0.3,
    )
    assert [r["status"] for r in closed if r["id"] == entry["id"]] == ["resolved"]
    after = await notices_of(moj, {later_event}, count=2)  # the 転居: 市町村通知 and 市町村伝達
    assert {r["body"].get("change_reason") for r in after} == {"move_within_ward", None}
    about = [
        r for r in await moj.of_events({event_id, later_event}) if r["type"] == MUNICIPAL_NOTICE
    ]
    assert [(r["event_id"], r["body"]["address"]) for r in about] == [
        (event_id, notice["body"]["address"]),
        (event_id, written),  # the corrected resend, under a new key …
        (later_event, after_address),  # … then the held 転居
    ]
    counts = await moj.counts()
    assert counts[later_event]["accepted"] == 2, "the 転居's notice and transmission, once each"
