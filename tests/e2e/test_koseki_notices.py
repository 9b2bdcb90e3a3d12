"""What happens at the counter reaches the 本籍地: the ward's own 戸籍附票システム for people whose 本籍
is in the ward (koseki_adapter), CS for the others (住基法19条1項).

Everything runs as real processes (see conftest.py); the 戸籍 of the people whose 本籍 is in the
ward are seeded in the 戸籍附票システム simulator first, as the ward's 戸籍 would hold them.

- a family's 国内転入, two of them with their 本籍 in the ward and two elsewhere → two 附票記載事項通知
  at the 附票 system, two at CS, none twice, none to the wrong place;
- a 転居 → one notice per 本籍者 with the new 住所を定めた年月日, a new line on each 附票;
- a 国外転出 → the notice says 国外転出 and the country, the 附票 too;
- a notice the 附票 system finds at odds with the 戸籍 (照合不一致) → that person waits at the
  adapter while others flow; once the 戸籍 side is corrected, the operator's 再送信 (a new
  transmission, new key) is accepted and skipping the blocked event lets the parked ones through.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from jumin_testing.e2e.clients import (
    Body,
    KosekiSimulatorClient,
    OperatorClient,
    Outbox,
    RegistryClient,
    SimulatorClient,
)
from jumin_testing.e2e.koseki import honseki_elsewhere, in_ward, of_koseki, seed, seed_each
from jumin_testing.e2e.people import WARD, Family, cs_date, family, person, ward_address
from jumin_testing.e2e.scenarios import MOVED_IN_DAYS_AGO, moved_in
from jumin_testing.e2e.stream import Stream, arrived, delivery
from jumin_testing.waiting import eventually


def move_in_dates() -> set[str]:
    """The 異動日 a move-in entered now gets (a run across midnight may take either day)."""
    return {cs_date(date.today() - timedelta(days=MOVED_IN_DAYS_AGO))}


async def test_a_family_moving_in_notifies_each_honseki_once_in_the_right_place(
    registry: RegistryClient,
    cs: SimulatorClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    koseki_operator: OperatorClient,
    seen: set[str],
) -> None:
    parents = family(2).members
    head, wife = of_koseki(*parents)  # 本籍 in the ward, the head 筆頭者
    father_of_head = f"{head.family_name}源五郎"
    mother = replace(
        person("female", relationship="母", family=(head.family_name, head.family_name_kana)),
        honseki=honseki_elsewhere(),
        hittosha=father_of_head,
    )
    surname = (head.family_name, head.family_name_kana)
    (son,) = of_koseki(  # 分籍: his own 戸籍, outside the ward
        person("male", relationship="子", born=date(1998, 5, 17), family=surname),
        honseki=honseki_elsewhere(),
    )
    household = Family((head, wife, mother, son))
    seen.update(household.secrets, [father_of_head])
    await seed(koseki, head, wife)

    moved_on = move_in_dates()
    change = await moved_in(registry, household)
    moved_on |= move_in_dates()

    to_fuhyo = await outbox.sent(change["change_id"], recipient="koseki")
    to_cs = await outbox.sent(change["change_id"])
    assert [s.routing_key for s in to_fuhyo] == ["koseki.fuhyo_notice"] * 2
    via_cs = [s for s in to_cs if s.routing_key == "cs.fuhyo_notice"]
    assert len(via_cs) == 2, "the 管外本籍者' notices go through CS"
    at_fuhyo = await arrived(koseki, {s.event_id for s in to_fuhyo})
    at_cs = await arrived(cs, {s.event_id for s in via_cs})
    records = await eventually(
        lambda: koseki_operator.deliveries({s.event_id for s in to_fuhyo}),
        lambda rows: len(rows) == 2,
        what="the koseki_adapter's delivery records of the family's notices",
        every=0.2,
    )

    codes = {r["body"]["juminhyo_code"] for r in at_fuhyo}
    assert codes == {head.juminhyo_code, wife.juminhyo_code}, "the 管内本籍者, each once"
    assert {r["body"]["juminhyo_code"] for r in at_cs} == {
        mother.juminhyo_code,
        son.juminhyo_code,
    }, "the 管外本籍者 via CS, each once"
    for someone in (mother, son):
        assert not await koseki.of_person(str(someone.juminhyo_code)), "nothing to the wrong 本籍地"
    for notice in at_fuhyo:
        body = notice["body"]
        assert (body["honseki"], body["hittosha"]) == (head.honseki, head.full_name)
        assert body["address"] == WARD + household.address
        assert body["address_since"] in moved_on
        assert body["moved_abroad"] is False
    counts = await koseki.counts()
    assert all(counts[s.event_id] == {"accepted": 1, "attempts": 1} for s in to_fuhyo)
    assert sorted(r["status"] for r in records) == ["sent", "sent"]
    fuhyo = {f["juminhyo_code"]: f for f in await koseki.fuhyo()}
    for someone in (head, wife):
        held = fuhyo[someone.juminhyo_code]
        assert held["address"] == WARD + household.address, "the 附票 has the new 住所"
        assert len(held["addresses"]) == 2, "a new line after the one seeded"


async def test_a_move_within_the_ward_gives_each_honseki_person_one_notice_with_the_new_date(
    registry: RegistryClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    seen: set[str],
) -> None:
    head, child = of_koseki(
        person("female", relationship="世帯主"), person(relationship="子", born=date(2012, 3, 3))
    )
    lodger = replace(person(relationship="同居人"), honseki=honseki_elsewhere())
    household = Family((head, child, lodger))
    seen.update(household.secrets)
    await seed(koseki, head, child)
    atena_nos = (await moved_in(registry, household))["subjects"]
    moved_on = date.today() - timedelta(days=2)
    new_address = ward_address()
    seen.add(new_address)

    move = await registry.enter(
        {
            "kind": "move_within_ward",
            "occurred_on": moved_on.isoformat(),
            "notified_on": moved_on.isoformat(),
            "atena_nos": atena_nos,
            "address": new_address,
        }
    )

    sent = await outbox.sent(move["change_id"], recipient="koseki")
    assert len(sent) == 2, "one notice per 本籍者 in the ward, none for the lodger"
    notices = await arrived(koseki, {s.event_id for s in sent})
    assert {n["body"]["juminhyo_code"] for n in notices} == {
        head.juminhyo_code,
        child.juminhyo_code,
    }
    for notice in notices:
        assert notice["body"]["address"] == WARD + new_address
        assert notice["body"]["address_since"] == cs_date(moved_on), "the 転居 date"
        assert notice["body"]["change_reason"] == "move_within_ward"
    fuhyo = {f["juminhyo_code"]: f for f in await koseki.fuhyo()}
    for someone in (head, child):
        lines = fuhyo[someone.juminhyo_code]["addresses"]
        assert [line["address_since"] for line in lines][-1] == cs_date(moved_on)
        assert len(lines) == 3, "seeded, 転入, 転居"


async def test_a_move_abroad_tells_the_fuhyo_the_country(
    registry: RegistryClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    seen: set[str],
) -> None:
    leaver = in_ward()
    household = Family((leaver,))
    seen.update(household.secrets)
    await seed(koseki, leaver)
    (atena_no,) = (await moved_in(registry, household))["subjects"]
    left_on = date.today() - timedelta(days=1)

    out = await registry.enter(
        {
            "kind": "move_out_abroad",
            "occurred_on": left_on.isoformat(),
            "notified_on": (left_on - timedelta(days=5)).isoformat(),
            "atena_nos": [atena_no],
            "destination_country": "ドイツ",
            "destination": "ベルリン市",
        }
    )

    (sent,) = await outbox.sent(out["change_id"], recipient="koseki")
    (notice,) = await arrived(koseki, {sent.event_id})
    body = notice["body"]
    assert body["juminhyo_code"] == leaver.juminhyo_code, "the code of the 消除 住民票"
    assert (body["moved_abroad"], body["abroad_country"], body["address"]) == (True, "ドイツ", None)
    assert body["address_since"] == cs_date(left_on), "the 国外転出 date"
    (held,) = [f for f in await koseki.fuhyo() if f["juminhyo_code"] == leaver.juminhyo_code]
    assert (held["moved_abroad"], held["abroad_country"]) == (True, "ドイツ")


def blocked_behind(rows: list[Body], person_key: str) -> bool:
    return any(r["person_key"] == person_key for r in rows)


async def test_a_person_the_fuhyo_does_not_match_waits_and_a_resend_after_correction_clears_it(
    registry: RegistryClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    koseki_operator: OperatorClient,
    seen: set[str],
) -> None:
    people = [in_ward() for _ in range(3)]
    misfiled = people[0]
    await seed_each(koseki, people[1:])
    wrong = replace(misfiled, birth_date=misfiled.birth_date - timedelta(days=1))
    await seed(koseki, wrong)  # the 戸籍 has another 出生の年月日 than the 住民票
    seen.add(cs_date(wrong.birth_date))
    stream = Stream(registry, seen)
    await stream.move_in_people(people)
    await stream.moves(1)

    theirs = await outbox.sent(*stream.changes_of(stream.atena_nos[0]), recipient="koseki")
    assert len(theirs) == 2, "their 転入 and 転居"
    others = [c for c in stream.change_ids if c not in {s.change_id for s in theirs}]
    await delivery(koseki, outbox, others, recipient="koseki")  # everyone else's arrive
    key = theirs[0].person_key
    blocked = await eventually(
        lambda: koseki_operator.get("blocked"),
        lambda rows: blocked_behind(rows, key),
        what="the person the 附票 does not match blocked at the adapter",
        every=0.2,
    )
    (stuck,) = [r for r in blocked if r["person_key"] == key]
    assert stuck["blocked_event_id"] == theirs[0].event_id, "their first notice, refused"
    parked = await eventually(
        lambda: koseki_operator.get("parked"),
        lambda rows: any(r["event_id"] == theirs[1].event_id for r in rows),
        what="their next notice parked behind it",
        every=0.2,
    )
    assert {r["person_key"] for r in parked} >= {key}
    (refused,) = await koseki.of_events({theirs[0].event_id})
    assert refused["mismatches"] == ["E-BIRTH-DATE-MISMATCH"]
    (held,) = await koseki.koseki(misfiled.honseki)
    assert len(held["members"][0]["addresses"]) == 1, "the 附票 unchanged by a mismatch"

    await seed(koseki, misfiled)  # the 戸籍 side corrects its 出生の年月日
    (record,) = await koseki_operator.deliveries({theirs[0].event_id})
    assert (record["status"], record["reply_code"]) == ("rejected", "E-BIRTH-DATE-MISMATCH")
    (outcome,) = await koseki_operator.resend_deliveries([record["id"]], "e2e: 戸籍 corrected")
    assert outcome["outcome"] == "sent", "the 再送信 (a new key) accepted"
    await koseki_operator.skip(theirs[0].event_id, "e2e: sent by the 再送信")

    received = await eventually(
        lambda: koseki.of_events({theirs[0].event_id, theirs[1].event_id}),
        lambda rows: [r["mismatches"] for r in rows] == [["E-BIRTH-DATE-MISMATCH"], [], []],
        what="the resent notice accepted, then the one parked behind it",
        every=0.2,
    )
    assert [r["event_id"] for r in received] == [s.event_id for s in (theirs[0], *theirs)], (
        "their order kept"
    )
    assert len({r["idempotency_key"] for r in received[:2]}) == 2, "the resend: a new key"
    counts = await koseki.counts()
    assert counts[theirs[1].event_id]["accepted"] == 1, "the parked one sent once"
    assert not blocked_behind(await koseki_operator.get("blocked"), key), "no longer blocked"
    assert not [r for r in await koseki_operator.get("parked") if r["person_key"] == key]
    (fuhyo,) = [f for f in await koseki.fuhyo() if f["juminhyo_code"] == misfiled.juminhyo_code]
    assert fuhyo["address"] == WARD + stream.addresses[stream.atena_nos[0]], "both lines written"
