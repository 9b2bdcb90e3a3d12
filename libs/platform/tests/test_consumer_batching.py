"""The kit's group commit: deliveries ready together share one `consume_batch` call."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from jumin_platform.consumer.batching import Batcher
from jumin_platform.consumer.processing import Outcome
from jumin_platform.consumer.sequencing import Decision


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[Any]] = []
        self.fail = fail

    async def __call__(self, messages: Sequence[Any]) -> list[Outcome]:
        self.batches.append(list(messages))
        await asyncio.sleep(0.01)  # the transaction
        if self.fail:
            raise ConnectionError("database gone")
        return [Outcome(Decision.HANDLE) for _ in messages]


async def test_deliveries_waiting_together_share_a_batch_in_arrival_order() -> None:
    consume = Recorder()
    batcher = Batcher(consume, max_batch=4, linger=0.001)
    outcomes = await asyncio.gather(*(batcher.submit(n) for n in range(6)))  # type: ignore[arg-type]
    assert all(o.applied for o in outcomes)
    assert consume.batches == [[0, 1, 2, 3], [4, 5]]


async def test_a_failed_batch_fails_each_of_its_deliveries() -> None:
    batcher = Batcher(Recorder(fail=True), max_batch=8)
    results = await asyncio.gather(
        *(batcher.submit(n) for n in range(3)),  # type: ignore[arg-type]
        return_exceptions=True,
    )
    assert all(isinstance(r, ConnectionError) for r in results)


async def test_a_lone_delivery_waits_no_longer_than_the_linger() -> None:
    consume = Recorder()
    batcher = Batcher(consume, max_batch=8, linger=0.001)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await batcher.submit("only")  # type: ignore[arg-type]
    assert loop.time() - started < 0.5
    assert consume.batches == [["only"]]
