"""Group the deliveries that are ready together into one transaction (group commit).

The broker hands the kit each delivery in a task of its own (up to ``prefetch`` at a time). Each
task `submit`s its message and waits for its outcome; one worker takes whatever has queued up
while the previous batch was in its transaction, in arrival order, and runs it as one
`Processor.consume_batch`. A batch smaller than ``max_batch`` (the prefetch window) first waits
``linger`` seconds for deliveries still on their way (the previous batch's acks release them), so
at low load a message waits about a millisecond, and under load the kit spends one transaction
per batch, not one per message. A batch that fails as a whole (the kit's own statements or the
commit) is taken again one message at a time, so one bad message fails alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from jumin_platform.consumer.messages import Incoming
from jumin_platform.consumer.processing import Outcome

__all__ = ["Batcher"]

logger = logging.getLogger(__name__)

ConsumeBatch = Callable[[Sequence[Incoming]], Awaitable[list[Outcome]]]


class Batcher:
    """Run submitted messages through `consume` in batches, one batch at a time."""

    def __init__(self, consume: ConsumeBatch, *, max_batch: int = 32, linger: float = 0.0) -> None:
        self._consume = consume
        self._max_batch = max_batch
        self._linger = linger
        self._waiting: list[tuple[Incoming, asyncio.Future[Outcome]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, message: Incoming) -> Outcome:
        """Queue a message and wait for its outcome (committed), or the batch's exception."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((message, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work())
        return await future

    async def _work(self) -> None:
        try:
            while self._waiting:
                if self._linger and len(self._waiting) < self._max_batch:
                    await asyncio.sleep(self._linger)
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                await self._run(batch)
        except asyncio.CancelledError:
            waiting, self._waiting = self._waiting, []
            for _, future in waiting:
                future.cancel()
            raise

    async def _run(self, batch: list[tuple[Incoming, asyncio.Future[Outcome]]]) -> None:
        try:
            outcomes = await self._consume([message for message, _ in batch])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:
            if len(batch) == 1:
                _fail(batch, exc)
                return
            # One message the kit's own statements choke on must not take the batch down with it
            # (each would be requeued, together again, until the delivery limit dead-letters
            # them all): nothing committed, so take them one by one and let only it fail.
            logger.warning(
                "a batch of %d failed (%s); taking its messages one by one",
                len(batch),
                type(exc).__name__,
            )
            for i, one in enumerate(batch):
                try:
                    await self._run([one])
                except asyncio.CancelledError:  # stopping: no delivery may wait for ever
                    for _, future in batch[i + 1 :]:
                        future.cancel()
                    raise
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)


def _fail(batch: list[tuple[Incoming, asyncio.Future[Outcome]]], exc: Exception) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(exc)
