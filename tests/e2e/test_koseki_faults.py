"""Faults on the 戸籍附票 link end to end: the 附票 system down for a while, its replies lost after it
stored the notice, the koseki_adapter killed mid-stream.

Each test streams 転居 for a handful of people whose 本籍 is in the ward (their 戸籍 seeded first)
through the real processes while one thing goes wrong, then checks what the 附票 system holds
against the registry's outbox: every koseki message arrived, each accepted exactly once
(`/sim/received/counts`), each person's in the order the registry numbered them, nobody left
waiting for an operator.
"""

from __future__ import annotations

import asyncio

from jumin_testing.e2e.clients import KosekiSimulatorClient, OperatorClient, Outbox, RegistryClient
from jumin_testing.e2e.koseki import in_ward, seed_each
from jumin_testing.e2e.slice import Slice
from jumin_testing.e2e.stream import Stream, assert_once_in_order, delivery

PEOPLE = 4
ROUNDS = 3


async def honseki_people(
    registry: RegistryClient, koseki: KosekiSimulatorClient, seen: set[str], count: int
) -> Stream:
    """`count` people with their 戸籍 in the ward, moved in (the 附票 system knows them)."""
    people = [in_ward() for _ in range(count)]
    await seed_each(koseki, people)
    stream = Stream(registry, seen)
    await stream.move_in_people(people)
    return stream


async def nobody_waits(operator: OperatorClient, stream: Stream, outbox: Outbox) -> None:
    keys = {s.person_key for s in await outbox.sent(*stream.change_ids, recipient="koseki")}
    waiting = [r for r in await operator.get("blocked") if r["person_key"] in keys]
    assert not waiting, "nobody of the stream left waiting for an operator"


async def test_the_fuhyo_system_down_for_a_while_delays_but_loses_nothing(
    registry: RegistryClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    koseki_operator: OperatorClient,
    seen: set[str],
) -> None:
    stream = await honseki_people(registry, koseki, seen, PEOPLE)
    outage: list[asyncio.Task[None]] = []

    async def down_for_a_while() -> None:
        await koseki.set_faults(down=True)  # every call answers 503 E-DOWN …
        await asyncio.sleep(3.0)
        await koseki.clear_faults()  # … for 3 s, while changes keep coming

    async def one_round_in(approved: int) -> None:
        if approved == 1:
            outage.append(asyncio.create_task(down_for_a_while()))

    await stream.moves(ROUNDS, pace=0.1, hook=one_round_in)
    await asyncio.gather(*outage)

    result = await delivery(koseki, outbox, stream.change_ids, within=60, recipient="koseki")

    assert_once_in_order(result)
    retried = [s.event_id for s in result.sent if result.counts[s.event_id]["attempts"] > 1]
    assert retried, "the outage hit some notices, which were sent again later"
    await nobody_waits(koseki_operator, stream, outbox)


async def test_replies_lost_after_the_fuhyo_stored_them_are_replays_stored_once(
    registry: RegistryClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    koseki_operator: OperatorClient,
    seen: set[str],
) -> None:
    stream = await honseki_people(registry, koseki, seen, 3)
    await delivery(koseki, outbox, stream.change_ids, recipient="koseki")
    await koseki.set_faults(lost_reply_rate=1.0)  # stored, then the answer is lost …

    async def lose_replies_for_a_while() -> None:
        await asyncio.sleep(2.0)
        await koseki.clear_faults()  # … for 2 s, while changes keep coming

    clearing = asyncio.create_task(lose_replies_for_a_while())
    await stream.moves(2, pace=0.1)
    await clearing

    result = await delivery(koseki, outbox, stream.change_ids, within=30, recipient="koseki")

    assert_once_in_order(result)
    retried = {s.event_id for s in result.sent if result.counts[s.event_id]["attempts"] > 1}
    assert retried, "some notices were sent again after the 附票 system had stored them"
    records = await koseki_operator.deliveries(retried)
    assert any(r["replayed"] for r in records), "the retry got the stored 照合結果 back"
    await nobody_waits(koseki_operator, stream, outbox)


async def test_the_koseki_adapter_killed_mid_stream_loses_and_duplicates_nothing(
    ward: Slice,
    registry: RegistryClient,
    koseki: KosekiSimulatorClient,
    outbox: Outbox,
    seen: set[str],
) -> None:
    stream = await honseki_people(registry, koseki, seen, PEOPLE)
    adapter = ward.koseki_adapter
    assert adapter is not None
    starts = adapter.starts
    backlog: list[int] = []
    crash: list[asyncio.Task[None]] = []

    async def kill_and_restart() -> None:
        adapter.kill()  # SIGKILL: whatever it was sending or committing stays half-done
        await asyncio.sleep(1.5)  # changes keep being approved meanwhile
        sent = await outbox.sent(*stream.change_ids, recipient="koseki")
        arrived = await koseki.of_events({s.event_id for s in sent})
        backlog.append(len(sent) - len(arrived))
        await adapter.start_ready(60)

    async def mid_stream(approved: int) -> None:
        if approved == 2:
            crash.append(asyncio.create_task(kill_and_restart()))

    await stream.moves(ROUNDS, pace=0.1, hook=mid_stream)
    await asyncio.gather(*crash)

    result = await delivery(koseki, outbox, stream.change_ids, within=60, recipient="koseki")

    assert adapter.starts == starts + 1
    assert backlog[0] > 0, "notices waited for the restarted adapter"
    assert_once_in_order(result)
