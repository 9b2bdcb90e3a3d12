"""What happens at the counter reaches 市町村CS, and CS's answers reach the register.

Everything runs as real processes (see conftest.py): the registry API, its outbox relay and command
consumer, the cs_adapter and the CS simulator, on real PostgreSQL and RabbitMQ.

- a family's 国内転入 → CS holds exactly their 本人確認情報, as entered, and nothing else;
- 出生 → 個人番号生成要求 → J-LIS's answer → the register records the 個人番号 (職権記載) → CS gets
  the updated 本人確認情報 with it;
- 国内転出 → CS gets the 転出証明書情報 → the new municipality's 転入通知 comes back through CS →
  the register keeps the 確定 date and address beside the 予定 ones.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from jumin_contracts.messages import IDENTITY_ITEMS
from jumin_testing.e2e.clients import OperatorClient, Outbox, RegistryClient, SimulatorClient
from jumin_testing.e2e.people import (
    DESTINATIONS,
    Family,
    cs_date,
    family,
    move_out,
    person,
)
from jumin_testing.e2e.scenarios import MOVED_IN_DAYS_AGO, birth_and_my_number, moved_in
from jumin_testing.e2e.stream import arrived
from jumin_testing.waiting import eventually

TODAY = date.today()
NAKANO_CODE = "131148"  # 中野区 (地方公共団体コード with its check digit)
CS_IDENTITY_BODY = {*IDENTITY_ITEMS, "change_reason", "change_date"}
"""The contract's 本人確認情報, with 異動事由 and 異動日 under CS's names (INTERFACE.md)."""


async def test_a_family_moving_in_reaches_cs_as_exactly_their_identities(
    registry: RegistryClient,
    cs: SimulatorClient,
    outbox: Outbox,
    operator: OperatorClient,
    seen: set[str],
) -> None:
    household = family(3)
    seen.update(household.secrets)
    before = {r["receipt_no"] for r in await cs.received()}

    # the scenario dates the 転入 from the day it runs: a run across midnight may take either day
    moved_on = {cs_date(date.today() - timedelta(days=MOVED_IN_DAYS_AGO))}
    change = await moved_in(registry, household)
    moved_on.add(cs_date(date.today() - timedelta(days=MOVED_IN_DAYS_AGO)))

    sent = await outbox.sent(change["change_id"])
    assert [s.routing_key for s in sent] == ["cs.identity"] * 3, "one 本人確認情報 per member"
    ours = {s.event_id for s in sent}
    await arrived(cs, ours)
    # The adapter records each transmission in the transaction that applies its event: once all
    # three are recorded, nothing more can follow from this change.
    records = await eventually(
        lambda: operator.deliveries(ours),
        lambda rows: {r["event_id"] for r in rows} == ours,
        what="the adapter's delivery records of the family's events",
        every=0.2,
    )
    new = [r for r in await cs.received() if r["receipt_no"] not in before]
    assert {r["event_id"] for r in new} == ours, "CS got nothing but this family's messages"
    assert [r["type"] for r in new] == ["identity"] * 3
    held = {r["body"]["juminhyo_code"]: r["body"] for r in new}
    assert set(held) == {m.juminhyo_code for m in household.members}, "one identity per member"
    for member in household.members:
        body = held[member.juminhyo_code]
        assert set(body) == CS_IDENTITY_BODY, "本人確認情報 items only"
        assert {k: body[k] for k in member.cs_identity(household.address)} == member.cs_identity(
            household.address
        ), "as entered at the counter"
        assert body["record_status"] == "resident"
        assert body["change_reason"] == "domestic_move_in"
        assert body["change_date"] in moved_on
        assert all(body[k] is None for k in ("former_surname", "alias", "name_alphabet"))
    counts = await cs.counts()
    assert all(counts[e]["accepted"] == 1 for e in ours), "each accepted once"
    assert sorted((r["type"], r["status"]) for r in records) == [("identity", "sent")] * 3
    for record in records:  # the 提供記録 names exactly the items that went to CS
        (body,) = [r["body"] for r in new if r["receipt_no"] == record["receipt_no"]]
        assert set(record["fields"]) == {k for k, v in body.items() if v is not None}


async def test_a_birth_gets_its_my_number_through_cs_and_cs_learns_it(
    registry: RegistryClient, cs: SimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    newborn = await birth_and_my_number(registry, cs, outbox, seen)
    child, atena_no, final = newborn.child, newborn.atena_no, newborn.at_cs
    kinds = [(r["type"], r["body"].get("change_reason")) for r in final]
    assert kinds.count(("my_number_request", None)) == 1, kinds
    request_at = kinds.index(("my_number_request", None))
    assert ("identity", "birth") in kinds
    (with_number,) = [r for r in final if r["type"] == "identity" and r["body"]["my_number"]]
    assert final.index(with_number) > request_at
    number = with_number["body"]["my_number"]
    assert with_number["body"]["change_reason"] == "my_number_entry"
    assert with_number["body"]["family_name"] == child.family_name
    assert with_number["body"]["birth_date"] == cs_date(child.birth_date)

    shown = await registry.resident(atena_no, show_my_number=True)
    assert shown["record"]["my_number"] == number, "the register recorded J-LIS's number"
    history = await registry.history(atena_no)
    assert [h["change_kind"] for h in history] == ["birth", "my_number_entry"]
    assert history[-1]["ex_officio"] is True, "個人番号の職権記載"


async def test_a_move_out_sends_the_certificate_and_the_move_in_notice_confirms_it(
    registry: RegistryClient, cs: SimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    leaver = person(relationship="世帯主")
    household = Family((leaver,))
    seen.update(household.secrets, DESTINATIONS)
    (atena_no,) = (await moved_in(registry, household))["subjects"]
    planned_on = TODAY - timedelta(days=4)
    planned_to, confirmed_to = DESTINATIONS

    out = await registry.enter(move_out([atena_no], planned_to, planned_on))

    sent = await outbox.sent(out["change_id"])
    assert sorted(s.routing_key for s in sent) == ["cs.identity", "cs.moveout_certificate"]
    rows = await arrived(cs, {s.event_id for s in sent})
    (certificate,) = [r["body"] for r in rows if r["type"] == "moveout_certificate"]
    assert certificate["juminhyo_code"] == leaver.juminhyo_code
    assert certificate["my_number"] == leaver.my_number
    assert (certificate["family_name"], certificate["given_name"]) == (
        leaver.family_name,
        leaver.given_name,
    )
    assert certificate["destination"] == planned_to
    assert certificate["planned_on"] == cs_date(planned_on)
    assert certificate["address"].endswith(household.address)
    (removed,) = [r["body"] for r in rows if r["type"] == "identity"]
    assert removed["record_status"] == "removed"

    confirmed_on = planned_on + timedelta(days=1)
    await cs.move_in_notice(
        juminhyo_code=leaver.juminhyo_code,
        moved_in_on=cs_date(confirmed_on),
        new_address=confirmed_to,
        new_municipality_code=NAKANO_CODE,
    )

    def confirmed(shown: Any) -> bool:
        return shown["record"]["confirmed_move_out_on"] is not None

    shown = await eventually(
        lambda: registry.resident(atena_no),
        confirmed,
        what="the 転入通知 recorded",
        within=30,
        every=0.2,
    )
    items = shown["record"]
    assert (items["planned_move_out_on"], items["move_out_destination"]) == (
        planned_on.isoformat(),
        planned_to,
    ), "the 予定 ones kept"
    assert (items["confirmed_move_out_on"], items["confirmed_destination"]) == (
        confirmed_on.isoformat(),
        confirmed_to,
    ), "the 確定 ones beside them"
    assert shown["change_kind"] == "move_in_notice"
