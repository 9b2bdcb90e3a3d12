"""What reaches 出入国在留管理庁 about foreign residents, end to end (DOMAIN-SERVICES.md §2 [U6][U7]).

The registry publishes `moj.municipal_notice` for a foreign resident's notifiable 異動; moj_notify
sends it to the ministry (the simulator) as a 市町村通知, and — for a 住居地届出 taken at the
counter — a 市町村伝達 too. A 世帯変更 among foreign residents changes nothing the ministry keeps:
nothing is sent, proven by a later notice of the same person arriving (no sleeping).
"""

from __future__ import annotations

from datetime import date

from jumin_testing.e2e.clients import Outbox, RegistryClient
from jumin_testing.e2e.foreigners import foreigner, household_transfer, move_in_30_46
from jumin_testing.e2e.moj import (
    MUNICIPAL_NOTICE,
    MUNICIPAL_TRANSMISSION,
    MojSimulatorClient,
    carries_no_numbers,
    foreigners_moved_in,
    notices_of,
    sent_to_moj,
)
from jumin_testing.e2e.people import move_within_ward, ward_address


async def test_a_30_46_move_in_sends_one_municipal_notice_and_one_transmission(
    registry: RegistryClient, moj: MojSimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    newcomer = foreigner()
    today = date.today()

    change = await foreigners_moved_in(registry, [newcomer], seen, on=today)

    events = await sent_to_moj(outbox, change["change_id"])
    assert len(events) == 1, "one moj.municipal_notice for the one person"
    received = await notices_of(moj, events, count=2)
    by_type = {r["type"]: r for r in received}
    assert sorted(r["type"] for r in received) == [MUNICIPAL_NOTICE, MUNICIPAL_TRANSMISSION]
    notice = by_type[MUNICIPAL_NOTICE]["body"]
    assert (notice["notice_class"], notice["change_reason"]) == (
        "juki_and_immigration",
        "foreign_move_in_30_46",
    )
    assert notice["change_date"] == notice["notification_date"] == today.strftime("%Y%m%d")
    assert (notice["name_alphabet"], notice["residence_card_no"]) == (
        newcomer.name_alphabet,
        newcomer.residence_card_no,
    )
    assert notice["birth_date"] == newcomer.birth_date.strftime("%Y%m%d")
    assert notice["sex"] == ("1" if newcomer.sex == "male" else "2")
    assert notice["nationality"] == newcomer.nationality_code
    assert (notice["foreign_category"], notice["status_of_residence"]) == (
        "mid_long_term",
        newcomer.status_of_residence,
    )
    assert notice["stay_expires_on"] == newcomer.stay_expires_on.strftime("%Y%m%d")
    transmission = by_type[MUNICIPAL_TRANSMISSION]["body"]
    assert transmission["filing_article"] == "19-7", "新規上陸後の住居地届出"
    assert transmission["residence_card_no"] == newcomer.residence_card_no
    assert transmission["address"] == notice["address"]
    assert all(carries_no_numbers(r, newcomer) for r in received)
    counts = await moj.counts()
    assert [counts[e]["accepted"] for e in events] == [2], "each transmission accepted once"


async def test_a_household_transfer_among_foreign_residents_sends_nothing(
    registry: RegistryClient, moj: MojSimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    host, lodger = foreigner(), foreigner()
    address = ward_address()
    today = date.today()
    seen.update([address, *host.secrets, *lodger.secrets])
    first = await registry.enter(move_in_30_46([host], on=today, address=address))
    second = await registry.enter(move_in_30_46([lodger], on=today, address=address))
    (host_no,) = first["subjects"]
    (lodger_no,) = second["subjects"]
    household = (await registry.resident(host_no))["record"]["household_no"]
    await notices_of(moj, await sent_to_moj(outbox, second["change_id"]), count=2)

    transfer = await registry.enter(
        household_transfer([lodger_no], household, {lodger_no: "同居人"}, today)
    )
    new_address = ward_address()
    seen.add(new_address)
    moving_out_alone = {**move_within_ward([lodger_no], new_address, today), "new_head": lodger_no}
    marker = await registry.enter(moving_out_alone)

    assert await sent_to_moj(outbox, transfer["change_id"]) == [], "no 市町村通知 for a 世帯変更"
    marker_events = await sent_to_moj(outbox, marker["change_id"])
    arrived = await notices_of(moj, marker_events, count=2)  # the 転居: 通知 and 伝達
    assert {r["body"].get("change_reason") for r in arrived} == {"move_within_ward", None}
    about_lodger = await moj.of_card(lodger.residence_card_no)
    reasons = [
        r["body"].get("change_reason") for r in about_lodger if r["type"] == MUNICIPAL_NOTICE
    ]
    assert reasons == ["foreign_move_in_30_46", "move_within_ward"], "nothing between the two"
