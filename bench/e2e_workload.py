"""The changes of `bench.e2e`, entered and approved through the registry's HTTP API.

Every change concerns one person and gives exactly one message to CS (a cs.identity): 国内転入 of
a one-person household (Japanese, 本籍 in the ward, so no 附票通知 to CS) or a 転居 of someone a
warm-up moved in. Names and numbers come from the e2e harness's made-up residents.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from tests.e2e.harness.clients import Body, RegistryClient
from tests.e2e.harness.people import Family, move_within_ward, person, ward_address

T = TypeVar("T")
R = TypeVar("R")


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
) -> tuple[list[str], list[str]]:
    """Move `count` people in (approved); return their 宛名番号 and the changes' ids."""
    on = date.today() - timedelta(days=30)
    changes = await in_parallel(
        [move_in(on) for _ in range(count)], registry.enter, workers=workers
    )
    atena_nos = [atena_no for change in changes for atena_no in change["subjects"]]
    return atena_nos, [change["change_id"] for change in changes]


def requests(count: int, movers: list[str], *, moves: float, seed: int) -> list[Body]:
    """`count` changes: a share `moves` of 転居 (each mover once), the rest 国内転入, shuffled."""
    rng = random.Random(seed)
    on = date.today() - timedelta(days=10)
    moving = movers[: int(count * moves)]
    bodies = [move_within_ward([a], ward_address(), on) for a in moving]
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
