"""Faults end to end: CS failing for a while, CS replies lost after it accepted, the cs_adapter
killed, CS refusing one person.

Each test streams 転居 for a handful of people through the real processes while one thing goes
wrong, then checks what CS holds against the registry's outbox: every cs message arrived, each
accepted exactly once (`/sim/received/counts`), and each person's in the order the registry
numbered them.
"""

from __future__ import annotations

import asyncio

from jumin_testing.e2e.clients import OperatorClient, Outbox, RegistryClient, SimulatorClient
from jumin_testing.e2e.slice import Slice
from jumin_testing.e2e.stream import Stream, assert_once_in_order, delivery
from jumin_testing.waiting import eventually

PEOPLE = 5
ROUNDS = 4


async def test_cs_failing_for_a_while_delays_but_loses_nothing(
    registry: RegistryClient,
    cs: SimulatorClient,
    outbox: Outbox,
    operator: OperatorClient,
    seen: set[str],
) -> None:
    stream = Stream(registry, seen)
    await stream.move_in(PEOPLE)
    outage: list[asyncio.Task[None]] = []

    async def fail_for_a_while() -> None:
        await cs.set_faults(error_rate=1.0)  # every call to CS answers 503 …
        await asyncio.sleep(3.0)
        await cs.clear_faults()  # … for 3 s, while changes keep coming

    async def one_round_in(approved: int) -> None:
        if approved == PEOPLE:
            outage.append(asyncio.create_task(fail_for_a_while()))

    await stream.moves(ROUNDS, pace=0.1, hook=one_round_in)
    await asyncio.gather(*outage)

    result = await delivery(cs, outbox, stream.change_ids, within=60)

    assert_once_in_order(result)
    retried = [s.event_id for s in result.sent if result.counts[s.event_id]["attempts"] > 1]
    assert retried, "the fault hit some messages, which were sent again later"
    assert await operator.get("blocked") == [], "nobody left waiting for an operator"


async def test_replies_lost_after_cs_accepted_are_retried_as_replays_stored_once(
    registry: RegistryClient,
    cs: SimulatorClient,
    outbox: Outbox,
    operator: OperatorClient,
    seen: set[str],
) -> None:
    stream = Stream(registry, seen)
    await stream.move_in(3)
    await delivery(cs, outbox, stream.change_ids)  # known to CS before the fault
    await cs.set_faults(lost_reply_rate=1.0)  # CS stores every message, the answer is lost …

    async def lose_replies_for_a_while() -> None:
        await asyncio.sleep(2.0)
        await cs.clear_faults()  # … for 2 s, while changes keep coming

    clearing = asyncio.create_task(lose_replies_for_a_while())
    await stream.moves(2, pace=0.1)
    await clearing

    result = await delivery(cs, outbox, stream.change_ids, within=30)

    assert_once_in_order(result)
    retried = {s.event_id for s in result.sent if result.counts[s.event_id]["attempts"] > 1}
    assert retried, "some messages were sent again after CS had taken them"
    records = await operator.deliveries(retried)
    assert any(r["replayed"] for r in records), "the retry got CS's stored reply back"
    assert await operator.get("blocked") == [], "nobody left waiting for an operator"


async def test_the_adapter_killed_mid_stream_loses_and_duplicates_nothing(
    ward: Slice, registry: RegistryClient, cs: SimulatorClient, outbox: Outbox, seen: set[str]
) -> None:
    stream = Stream(registry, seen)
    await stream.move_in(PEOPLE)
    adapter = ward.cs_adapter
    starts = adapter.starts
    backlog: list[int] = []
    crash: list[asyncio.Task[None]] = []

    async def kill_and_restart() -> None:
        adapter.kill()  # SIGKILL: whatever it was sending or committing stays half-done
        await asyncio.sleep(1.5)  # changes keep being approved meanwhile
        sent = await outbox.sent(*stream.change_ids)
        arrived = await cs.of_events({s.event_id for s in sent})
        backlog.append(len(sent) - len(arrived))
        await adapter.start_ready(60)

    async def mid_stream(approved: int) -> None:
        if approved == PEOPLE + 2:
            crash.append(asyncio.create_task(kill_and_restart()))

    await stream.moves(ROUNDS, pace=0.1, hook=mid_stream)
    await asyncio.gather(*crash)

    result = await delivery(cs, outbox, stream.change_ids, within=60)

    assert adapter.starts == starts + 1
    assert backlog[0] > 0, "messages waited for the restarted adapter"
    assert_once_in_order(result)


async def test_a_person_cs_refuses_waits_for_the_operator_while_others_flow(
    registry: RegistryClient,
    cs: SimulatorClient,
    outbox: Outbox,
    operator: OperatorClient,
    seen: set[str],
) -> None:
    stream = Stream(registry, seen)
    await stream.move_in(3)
    await delivery(cs, outbox, stream.change_ids)  # known to CS before the fault
    refused, refused_atena = stream.people[0], stream.atena_nos[0]
    await cs.set_faults(reject_juminhyo_codes=[refused.juminhyo_code])
    since = len(stream.change_ids)

    await stream.moves(2, pace=0.05)

    theirs = await outbox.sent(*stream.changes_of(refused_atena, since))
    assert len(theirs) == 2
    others = [c for c in stream.change_ids[since:] if c not in {s.change_id for s in theirs}]
    await delivery(cs, outbox, others)  # everyone else's arrive meanwhile
    refused_key = theirs[0].person_key
    blocked = await eventually(
        lambda: operator.get("blocked"),
        lambda rows: any(r["person_key"] == refused_key for r in rows),
        what="the refused person blocked at the adapter",
        every=0.2,
    )
    (stuck,) = [r for r in blocked if r["person_key"] == refused_key]
    assert stuck["blocked_event_id"] == theirs[0].event_id, "their first refused message"
    parked = await eventually(
        lambda: operator.get("parked"),
        lambda rows: any(r["event_id"] == theirs[1].event_id for r in rows),
        what="the refused person's next message parked behind it",
        every=0.2,
    )
    assert {r["person_key"] for r in parked} == {refused_key}, "nobody else waits"
    counts = await cs.counts()
    assert all(counts.get(s.event_id, {}).get("accepted", 0) == 0 for s in theirs)

    await cs.clear_faults()
    await operator.resend(theirs[0].event_id)

    result = await delivery(cs, outbox, stream.change_ids, within=45)
    assert_once_in_order(result)
    assert await operator.get("blocked") == []
    assert await operator.get("parked") == []
