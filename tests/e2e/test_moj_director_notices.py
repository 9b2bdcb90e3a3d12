"""A 長官通知 (住基法30条の50) comes back as a pending change that staff decide, end to end.

The ministry reissues a foreign resident's 在留カード (a new number) and says so on its feed;
moj_notify turns the notice into a `registry.moj_notice` command; the registry enters a **pending**
職権修正 as `system:moj` (never approved by itself). A reviewer approves it. Then:

- CS is told nothing: the 在留カード番号 is not an item of the 本人確認情報 (the person's next
  transmission to CS is the later 転居's, nothing before it);
- the ministry is told nothing back about its own fact (no loop): no 市町村通知 of the approval;
- the person's next 市町村通知 (a 転居) carries the new number.
"""

from __future__ import annotations

from datetime import date, timedelta

from jumin_testing.e2e.clients import Body, Outbox, RegistryClient, SimulatorClient
from jumin_testing.e2e.foreigners import foreigner, residence_card_no
from jumin_testing.e2e.moj import (
    MOJ_SYSTEM,
    MUNICIPAL_NOTICE,
    MojOperatorClient,
    MojSimulatorClient,
    foreigners_moved_in,
    notices_of,
    sent_to_moj,
)
from jumin_testing.e2e.people import move_within_ward, ward_address
from jumin_testing.waiting import eventually


async def arrived_at_cs(cs: SimulatorClient, outbox: Outbox, change_id: str) -> list[Body]:
    """Wait until CS received every message the registry sent it for the change; return them."""
    to_cs = {s.event_id for s in await outbox.sent(change_id, recipient="cs")}
    return await eventually(
        lambda: cs.of_events(to_cs),
        lambda rows: len(rows) == len(to_cs),
        what="CS to receive the change's messages",
        every=0.2,
    )


async def test_a_new_card_number_from_the_ministry_is_approved_by_staff_and_travels_on(
    registry: RegistryClient,
    cs: SimulatorClient,
    moj: MojSimulatorClient,
    moj_operator: MojOperatorClient,
    outbox: Outbox,
    seen: set[str],
) -> None:
    holder = foreigner()
    today = date.today()
    moved_in = await foreigners_moved_in(registry, [holder], seen, on=today - timedelta(days=10))
    (atena_no,) = moved_in["subjects"]
    await notices_of(moj, await sent_to_moj(outbox, moved_in["change_id"]), count=2)
    at_cs = await arrived_at_cs(cs, outbox, moved_in["change_id"])
    assert at_cs, "CS holds the newcomer's 本人確認情報"
    before = len(await cs.of_person(holder.juminhyo_code))
    new_card = residence_card_no()
    seen.add(new_card)

    await moj.director_notice(
        {
            "kind": "card_issued",
            "residence_card_no": holder.residence_card_no,
            "effective_date": today.strftime("%Y%m%d"),
            "corrections": {"residence_card_no": new_card},
            "notice_text": "在留カード再交付 (紛失)",
        }
    )

    changes = await eventually(
        lambda: registry.changes(status="pending", atena_no=atena_no),
        lambda rows: len(rows) > 0,
        what="a pending change from the 長官通知",
        within=45,
        every=0.3,
    )
    (pending,) = changes
    assert (pending["created_by"], pending["decided_by"]) == (MOJ_SYSTEM, None)
    assert (await registry.resident(atena_no))["record"]["residence_card_no"] == (
        holder.residence_card_no
    ), "nothing changes before a reviewer decides"
    taken_in = await moj_operator.director_notices()
    assert any(
        (n["kind"], n["status"], n["special_permanent"]) == ("card_issued", "published", False)
        and n["command_id"] is not None
        for n in taken_in
    ), "moj_notify recorded the 長官通知 and the command it sent"

    await registry.approve(pending["change_id"])

    record = (await registry.resident(atena_no))["record"]
    assert record["residence_card_no"] == new_card
    assert await outbox.sent(pending["change_id"], recipient="moj") == [], "no notice back"
    assert await outbox.sent(pending["change_id"], recipient="cs") == [], "not a CS item"
    address = ward_address()
    seen.add(address)
    move = await registry.enter(move_within_ward([atena_no], address, today))
    (move_event,) = await sent_to_moj(outbox, move["change_id"])
    arrived = await notices_of(moj, {move_event}, count=2)
    (notice,) = [r for r in arrived if r["type"] == MUNICIPAL_NOTICE]
    assert notice["body"]["residence_card_no"] == new_card
    cs_now = await arrived_at_cs(cs, outbox, move["change_id"])
    assert len(await cs.of_person(holder.juminhyo_code)) == before + len(cs_now), (
        "nothing reached CS for the person between the 転入 and the 転居"
    )
    about_old = await moj.of_card(holder.residence_card_no)
    assert {r["event_id"] for r in about_old} == set(
        await sent_to_moj(outbox, moved_in["change_id"])
    )
