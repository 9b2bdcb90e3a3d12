"""The changes of `bench.e2e`, entered and approved through the registry's HTTP API, and what CS
made of them.

Every change concerns one person and gives exactly one message to CS (a cs.identity): 国内転入 of
a one-person household (Japanese, 本籍 in the ward, so no 附票通知 to CS) or a 転居 of someone a
warm-up moved in. Names and numbers come from the e2e harness's made-up residents.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from jumin_testing.e2e.clients import Body, Outbox, RegistryClient, SimulatorClient
from jumin_testing.e2e.people import Family, move_within_ward, person, ward_address
from jumin_testing.e2e.stream import Delivery, delivery
from jumin_testing.waiting import eventually

T = TypeVar("T")
R = TypeVar("R")
#: someone the warm-up moved in: 宛名番号 and the ward address they live at
Mover = tuple[str, str]


async def in_parallel(
    items: Sequence[T], work: Callable[[T], Awaitable[R]], *, workers: int
) -> list[R]:
    """Run `work` over the items with at most `workers` at a time; results in item order."""
    results: list[Any] = [None] * len(items)
    next_index = 0

    async def worker() -> None:
        nonlocal next_index
        while next_index < len(items):
            index = next_index
            next_index += 1
            results[index] = await work(items[index])

    await asyncio.gather(*(worker() for _ in range(workers)))
    return results


def move_in(on: date) -> Body:
    """国内転入 of a new one-person household."""
    return Family((person(relationship="世帯主"),)).move_in(occurred_on=on)


async def warm_up(
    registry: RegistryClient, count: int, *, workers: int
) -> tuple[list[Mover], list[str]]:
    """Move `count` people in (approved); return them with their address, and the changes' ids."""
    on = date.today() - timedelta(days=30)
    bodies = [move_in(on) for _ in range(count)]
    changes = await in_parallel(bodies, registry.enter, workers=workers)
    movers = [
        (atena_no, body["address"])
        for change, body in zip(changes, bodies, strict=True)
        for atena_no in change["subjects"]
    ]
    return movers, [change["change_id"] for change in changes]


def new_address(current: str) -> str:
    """A ward address other than `current` (the registry refuses a 転居 to where one lives)."""
    while (address := ward_address()) == current:
        pass
    return address


def requests(count: int, movers: list[Mover], *, moves: float, seed: int) -> list[Body]:
    """`count` changes: a share `moves` of 転居 (each mover once), the rest 国内転入, shuffled."""
    rng = random.Random(seed)
    on = date.today() - timedelta(days=10)
    moving = movers[: int(count * moves)]
    bodies = [move_within_ward([a], new_address(current), on) for a, current in moving]
    bodies += [move_in(on) for _ in range(count - len(bodies))]
    rng.shuffle(bodies)
    return bodies


async def submit_all(registry: RegistryClient, bodies: list[Body], *, workers: int) -> list[str]:
    """Enter every change (仮登録, untimed); return their ids."""
    changes = await in_parallel(bodies, registry.submit, workers=workers)
    return [c["change_id"] for c in changes]


async def approve_all(registry: RegistryClient, change_ids: list[str], *, workers: int) -> None:
    """Approve every change (本登録) with `workers` reviewers at once, as fast as they go."""
    await in_parallel(change_ids, registry.approve, workers=workers)


async def at_cs(
    cs: SimulatorClient, outbox: Outbox, change_ids: list[str], *, within: float
) -> Delivery:
    """Wait until CS accepted every cs message of the changes; return what it holds of them.

    The wait polls CS's per-event counts (event ids and two numbers each) rather than every stored
    transmission with its body, so that waiting loads the slice little while the last messages of
    a run are still on their way; the transmissions are fetched once, at the end.
    """
    wanted = {s.event_id for s in await outbox.sent(*change_ids)}

    def accepted(counts: dict[str, Body]) -> bool:
        return all(counts.get(e, {}).get("accepted", 0) >= 1 for e in wanted)

    await eventually(
        cs.counts,
        accepted,
        what=f"all {len(wanted)} cs messages of {len(change_ids)} changes accepted at CS",
        within=within,
        every=0.5,
    )
    return await delivery(cs, outbox, change_ids, within=60)


def latencies_ms(result: Delivery) -> tuple[list[float], datetime, datetime]:
    """Per message: CS receipt − outbox commit; and the first commit and last receipt."""
    committed = {s.event_id: s.created_at for s in result.sent}
    received = {r["event_id"]: datetime.fromisoformat(r["received_at"]) for r in result.received}
    values = [(received[e] - committed[e]).total_seconds() * 1000 for e in committed]
    return values, min(committed.values()), max(received.values())
