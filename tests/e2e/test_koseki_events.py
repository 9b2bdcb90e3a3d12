"""What the 戸籍 side tells the 住所地 reaches the registry as work for staff, never as a write.

A 戸籍届 filed at the 本籍地 (the simulator's test API) queues its 住民票記載事項通知 (住基法9条2項);
the koseki_adapter's poller takes it in as a registry command; the registry enters a **pending**
職権修正 as `system:koseki` for a reviewer to decide. A 戸籍照合通知 (19条2項) becomes a work item.

- 婚姻 → pending 職権修正 with the new 氏, 本籍 and 筆頭者; the register unchanged until a reviewer
  approves it; then CS gets the new 本人確認情報; the 附票 (which follows its 戸籍) holds the new
  戸籍の表示 and 氏 with the 住所 the ward notified, and the approval sends it nothing more;
- 転籍 out of the ward → approved → the person's next 附票 notice goes through CS, not to the
  ward's 附票 system;
- a notice the 附票 system finds at odds with the 戸籍 → its 戸籍照合通知 → a work item naming
  the differing item and what the 戸籍 states, the register unchanged.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from jumin_testing.e2e.clients import (
    Body,
    KosekiSimulatorClient,
    Outbox,
    RegistryClient,
    SimulatorClient,
)
from jumin_testing.e2e.koseki import (
    ELSEWHERE_CODE,
    honseki_elsewhere,
    honseki_in_ward,
    in_ward,
    seed,
)
from jumin_testing.e2e.people import Family, Person, cs_date, move_within_ward, person, ward_address
from jumin_testing.e2e.scenarios import moved_in
from jumin_testing.e2e.stream import arrived
from jumin_testing.waiting import eventually

KOSEKI_SYSTEM = "system:koseki"


async def pending_amendment(registry: RegistryClient, atena_no: str) -> Body:
    """Wait for the pending 職権修正 a 戸籍 notice made of the person; return it."""
    changes = await eventually(
        lambda: registry.changes(status="pending", atena_no=atena_no),
        lambda rows: any(c["kind"] == "ex_officio_amendment" for c in rows),
        what="a pending 職権修正 from the 戸籍 side",
        within=45,
        every=0.3,
    )
    (change,) = [c for c in changes if c["kind"] == "ex_officio_amendment"]
    return dict(change)


def stated(change: Body) -> Body:
    """The items a 職権修正 changes (its patch without the items it leaves as they are)."""
    return {k: v for k, v in change["request"]["patch"].items() if v is not None}


async def resident_with_koseki(
    registry: RegistryClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    someone: Person,
    seen: set[str],
) -> str:
    """The person's 戸籍 seeded, the person moved in and the 附票 told so; their 宛名番号."""
    household = Family((someone,))
    seen.update(household.secrets)
    await seed(koseki, someone)
    change = await moved_in(registry, household)
    (notice,) = await outbox.sent(change["change_id"], recipient="koseki")
    (received,) = await arrived(koseki, {notice.event_id})
    assert received["mismatches"] == [], "the 附票 has the ward's 住所 before the 戸籍 event"
    (atena_no,) = change["subjects"]
    return str(atena_no)


async def test_a_marriage_on_the_koseki_side_is_approved_by_a_reviewer_then_reaches_cs_and_fuhyo(
    registry: RegistryClient,
    cs: SimulatorClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    seen: set[str],
) -> None:
    bride = person("female", relationship="世帯主")
    father = f"{bride.family_name}正造"  # she is in her parents' 戸籍
    bride = replace(bride, honseki=honseki_in_ward(), hittosha=father)
    groom = person("male", relationship="夫")
    while groom.family_name == bride.family_name:
        groom = person("male", relationship="夫")
    new_honseki = honseki_in_ward()
    seen.update([father, groom.full_name, new_honseki])
    atena_no = await resident_with_koseki(registry, koseki, outbox, bride, seen)
    code = str(bride.juminhyo_code)
    married_on = date.today() - timedelta(days=1)

    await koseki.file_event(
        {
            "event": "marriage",
            "honseki": bride.honseki,
            "hittosha": father,
            "juminhyo_code": code,
            "new_honseki": new_honseki,
            "new_hittosha": groom.full_name,
            "new_family_name": groom.family_name,
            "event_date": cs_date(married_on),
        }
    )

    change = await pending_amendment(registry, atena_no)
    assert change["created_by"] == KOSEKI_SYSTEM
    assert (change["status"], change["decided_by"]) == ("pending", None), "never self-approved"
    assert stated(change) == {
        "family_name": groom.family_name,
        "honseki": new_honseki,
        "hittosha": groom.full_name,
    }
    assert change["request"]["occurred_on"] == married_on.isoformat()
    before = (await registry.resident(atena_no))["record"]
    assert (before["family_name"], before["honseki"]) == (bride.family_name, bride.honseki)

    await registry.approve(change["change_id"])

    after = (await registry.resident(atena_no))["record"]
    assert (after["family_name"], after["honseki"], after["hittosha"]) == (
        groom.family_name,
        new_honseki,
        groom.full_name,
    )
    at_cs = await eventually(
        lambda: cs.of_person(code),
        lambda rows: any(r["body"].get("family_name") == groom.family_name for r in rows),
        what="CS to receive the 本人確認情報 with the new 氏",
        every=0.2,
    )
    assert [r["body"]["family_name"] for r in at_cs if r["type"] == "identity"][-1] == (
        groom.family_name
    )
    # 氏・本籍・筆頭者 come from the 戸籍 itself: the 本籍地 wrote them with the 婚姻 (the 附票
    # follows its 戸籍), so the approval sends it nothing (recipient_policy.FUHYO_ADDRESS_ITEMS).
    assert await outbox.sent(change["change_id"], recipient="koseki") == []
    (fuhyo,) = [f for f in await koseki.fuhyo() if f["juminhyo_code"] == code]
    assert (fuhyo["honseki"], fuhyo["hittosha"], fuhyo["family_name"]) == (
        new_honseki,
        groom.full_name,
        groom.family_name,
    )
    assert fuhyo["address"] == after["address"], "the 附票 kept the 住所 the ward notified"


async def test_a_transfer_out_of_the_ward_sends_later_fuhyo_notices_through_cs(
    registry: RegistryClient,
    cs: SimulatorClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    seen: set[str],
) -> None:
    mover = in_ward()
    elsewhere = honseki_elsewhere()
    seen.add(elsewhere)
    atena_no = await resident_with_koseki(registry, koseki, outbox, mover, seen)

    await koseki.file_event(
        {
            "event": "transfer",
            "honseki": mover.honseki,
            "hittosha": mover.full_name,
            "new_honseki": elsewhere,
            "new_honseki_municipality_code": ELSEWHERE_CODE,
            "event_date": cs_date(date.today() - timedelta(days=1)),
        }
    )
    change = await pending_amendment(registry, atena_no)
    assert stated(change) == {"honseki": elsewhere}
    await registry.approve(change["change_id"])
    address = ward_address()
    seen.add(address)

    move = await registry.enter(move_within_ward([atena_no], address, date.today()))

    assert await outbox.sent(move["change_id"], recipient="koseki") == [], "not 管内本籍 now"
    to_cs = await outbox.sent(move["change_id"])
    (notice,) = [s for s in to_cs if s.routing_key == "cs.fuhyo_notice"]
    (received,) = await arrived(cs, {notice.event_id})
    assert received["body"]["juminhyo_code"] == mover.juminhyo_code


async def test_a_collation_notice_becomes_a_work_item_and_changes_nothing(
    registry: RegistryClient,
    koseki: KosekiSimulatorClient,
    seen: set[str],
) -> None:
    someone = in_ward()
    in_koseki = replace(someone, given_name="瑠璃子" if someone.given_name != "瑠璃子" else "詩織")
    seen.update(in_koseki.secrets)
    household = Family((someone,))
    seen.update(household.secrets)
    await seed(koseki, in_koseki)  # the 戸籍 writes the 名 otherwise than the 住民票

    (atena_no,) = (await moved_in(registry, household))["subjects"]

    items = await eventually(
        lambda: registry.work_items(atena_no=atena_no),
        lambda rows: len(rows) > 0,
        what="a work item from the 戸籍照合通知",
        within=45,
        every=0.3,
    )
    (item,) = items
    assert (item["kind"], item["status"]) == ("koseki_collation", "open")
    assert item["differing_items"] == ["name"]
    assert item["collation"]["koseki_items"]["given_name"] == in_koseki.given_name
    assert item["collation"]["honseki"] == someone.honseki
    record = (await registry.resident(atena_no))["record"]
    assert record["given_name"] == someone.given_name, "the register unchanged"
    assert await registry.changes(status="pending", atena_no=atena_no) == [], "no change entered"
