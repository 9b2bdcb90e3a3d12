"""The kit's group commit: deliveries ready together share one `consume_batch` call."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from jumin_platform.consumer.batching import Batcher
from jumin_platform.consumer.processing import Outcome
from jumin_platform.consumer.sequencing import Decision


class Recorder:
    """Stand in for `Processor.consume_batch`: a transaction that fails for a poisoned batch."""

    def __init__(self, fail: bool = False, poison: Any = None) -> None:
        self.batches: list[list[Any]] = []
        self.fail = fail
        self.poison = poison

    async def __call__(self, messages: Sequence[Any]) -> list[Outcome]:
        self.batches.append(list(messages))
        await asyncio.sleep(0.01)  # the transaction
        if self.fail:
            raise ConnectionError("database gone")
        if self.poison in messages:
            raise OverflowError("value out of int64 range")  # a kit statement refuses it
        return [Outcome(Decision.HANDLE) for _ in messages]


async def test_deliveries_waiting_together_share_a_batch_in_arrival_order() -> None:
    consume = Recorder()
    batcher = Batcher(consume, max_batch=4, linger=0.001)
    outcomes = await asyncio.gather(*(batcher.submit(n) for n in range(6)))  # type: ignore[arg-type]
    assert all(o.applied for o in outcomes)
    assert consume.batches == [[0, 1, 2, 3], [4, 5]]


async def test_an_outage_fails_each_delivery_of_the_batch() -> None:
    consume = Recorder(fail=True)
    batcher = Batcher(consume, max_batch=8)
    results = await asyncio.gather(
        *(batcher.submit(n) for n in range(3)),  # type: ignore[arg-type]
        return_exceptions=True,
    )
    assert all(isinstance(r, ConnectionError) for r in results)
    assert consume.batches == [[0, 1, 2], [0], [1], [2]]  # tried together, then one by one


async def test_a_message_that_fails_the_batch_fails_alone_the_others_are_applied() -> None:
    consume = Recorder(poison=2)
    batcher = Batcher(consume, max_batch=8, linger=0.001)
    results = await asyncio.gather(
        *(batcher.submit(n) for n in range(4)),  # type: ignore[arg-type]
        return_exceptions=True,
    )
    assert [type(r).__name__ for r in results] == ["Outcome", "Outcome", "OverflowError", "Outcome"]
    assert all(r.applied for r in results if isinstance(r, Outcome))
    assert consume.batches == [[0, 1, 2, 3], [0], [1], [2], [3]]


async def test_a_lone_delivery_waits_no_longer_than_the_linger() -> None:
    consume = Recorder()
    batcher = Batcher(consume, max_batch=8, linger=0.001)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await batcher.submit("only")  # type: ignore[arg-type]
    assert loop.time() - started < 0.5
    assert consume.batches == [["only"]]


async def test_stopping_while_a_failed_batch_is_retried_one_by_one_leaves_no_delivery_waiting() -> (
    None
):
    started = asyncio.Event()

    async def consume(messages: Sequence[Any]) -> list[Outcome]:
        if len(messages) > 1:
            raise OverflowError("a kit statement refused the batch")
        started.set()
        await asyncio.sleep(60)  # the first message's own transaction, when the kit stops
        return [Outcome(Decision.HANDLE)]

    batcher = Batcher(consume, max_batch=8, linger=0.001)
    waiting = [asyncio.create_task(batcher.submit(n)) for n in range(3)]  # type: ignore[arg-type]
    await asyncio.wait_for(started.wait(), 5)
    worker = batcher._worker
    assert worker is not None
    worker.cancel()

    done, pending = await asyncio.wait(waiting, timeout=5)
    assert not pending
    assert all(task.cancelled() for task in done)
