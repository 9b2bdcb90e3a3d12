"""Faults on the 法務省 link end to end: the ministry down for a while, its replies lost after it
stored a notice, moj_notify SIGKILLed mid-stream — every notice reaches the ministry exactly once.

Each test moves a few foreign residents in and then 転居 them round after round through the real
processes while one thing goes wrong, then checks the ministry's record against the registry's
outbox: each of those events' transmissions (市町村通知 + 市町村伝達) accepted exactly once
(`/sim/received/counts`), each person's in the order the registry numbered them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from jumin_testing.e2e.clients import Outbox, RegistryClient, Sent
from jumin_testing.e2e.foreigners import foreigner
from jumin_testing.e2e.moj import (
    MUNICIPAL_NOTICE,
    MojSimulatorClient,
    foreigners_moved_in,
    notices_of,
)
from jumin_testing.e2e.people import move_within_ward, ward_address
from jumin_testing.e2e.slice import Slice

PEOPLE = 3
ROUNDS = 3
#: a 転居 of a 中長期在留者 is a 住居地届出: one 市町村通知 and one 市町村伝達
PER_EVENT = 2

Hook = Callable[[int], Awaitable[None]]


async def stream(
    registry: RegistryClient, outbox: Outbox, seen: set[str], *, hook: Hook
) -> list[Sent]:
    """Move PEOPLE foreigners in, then ROUNDS of 転居 each (`hook(round)` before each round);
    return every moj message the registry sent for them, in outbox order."""
    people = [foreigner() for _ in range(PEOPLE)]
    moved_in = [
        await foreigners_moved_in(registry, [p], seen, on=date.today() - timedelta(days=5))
        for p in people
    ]
    change_ids = [c["change_id"] for c in moved_in]
    for round_no in range(ROUNDS):
        await hook(round_no)
        for change in moved_in:
            address = ward_address()
            seen.add(address)
            body = move_within_ward(change["subjects"], address, date.today())
            change_ids.append((await registry.enter(body))["change_id"])
            await asyncio.sleep(0.05)
    return await outbox.sent(*change_ids, recipient="moj")


async def assert_once_in_order(moj: MojSimulatorClient, sent: list[Sent]) -> None:
    """Every event's transmissions accepted exactly once; each person's notices in seq order."""
    events = [s.event_id for s in sent]
    received = await notices_of(moj, events, count=PER_EVENT * len(events), within=90)
    counts = await moj.counts()
    assert {e: counts[e]["accepted"] for e in events} == dict.fromkeys(events, PER_EVENT)
    assert len(received) == PER_EVENT * len(events), "nothing stored twice"
    order = {s.event_id: (s.person_key, s.seq) for s in sent}
    for person in {s.person_key for s in sent}:
        seqs = [
            order[r["event_id"]][1]
            for r in received
            if r["type"] == MUNICIPAL_NOTICE and order[r["event_id"]][0] == person
        ]
        assert seqs == sorted(seqs), "the person's notices in the registry's order"


async def test_the_ministry_down_for_a_while_delays_but_loses_nothing(
    registry: RegistryClient, moj: MojSimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    async def down_in_round_one(round_no: int) -> None:
        if round_no == 1:
            await moj.set_faults(down=True)  # every call answers 503 E-DOWN …
        if round_no == 2:
            await asyncio.sleep(2.0)
            await moj.clear_faults()  # … for a while, changes coming all along

    sent = await stream(registry, outbox, seen, hook=down_in_round_one)

    await assert_once_in_order(moj, sent)
    counts = await moj.counts()
    assert any(counts[s.event_id]["attempts"] > PER_EVENT for s in sent), "the outage hit some"


async def test_replies_lost_after_the_ministry_stored_them_are_replayed_not_doubled(
    registry: RegistryClient, moj: MojSimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    async def lose_replies_in_round_one(round_no: int) -> None:
        if round_no == 1:
            await moj.set_faults(lost_reply_rate=1.0)  # stored, then the answer is lost …
        if round_no == 2:
            await asyncio.sleep(1.5)
            await moj.clear_faults()

    sent = await stream(registry, outbox, seen, hook=lose_replies_in_round_one)

    await assert_once_in_order(moj, sent)
    counts = await moj.counts()
    assert any(counts[s.event_id]["attempts"] > PER_EVENT for s in sent), "some sent again"


async def test_moj_notify_killed_mid_stream_loses_and_doubles_nothing(
    ward: Slice, registry: RegistryClient, moj: MojSimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    service = ward.moj_notify
    assert service is not None
    starts = service.starts

    async def kill_in_round_one(round_no: int) -> None:
        if round_no == 1:
            service.kill()  # SIGKILL: whatever it was sending or committing stays half-done
        if round_no == 2:
            await service.start_ready(60)

    sent = await stream(registry, outbox, seen, hook=kill_in_round_one)

    assert service.starts == starts + 1
    await assert_once_in_order(moj, sent)
