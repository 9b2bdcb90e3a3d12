"""What every adapter process runs the same way: the consumer kit, the command publisher, its
background loops and its clients, started and stopped in one order (cs_adapter, koseki_adapter,
moj_notify …).

An adapter is a dataclass deriving from `AdapterRuntime` that adds its own parts and names its
loops::

    @dataclass(kw_only=True)
    class KosekiAdapter(AdapterRuntime):
        settings: Settings
        poller: KosekiPoller

        def loops(self) -> Iterator[Loop]:
            yield Loop("koseki-notifications", self.poller.run)

    adapter = KosekiAdapter(pool=pool, kit=kit, publisher=publisher, clients=(fuhyo,), …)
    await adapter.start()   # publisher, kit, then each loop as a task
    await adapter.close()   # loops cancelled, kit stopped, publisher, clients, pool closed

`ward_now` is the clock every adapter's loops and ledgers use: the ward's time (Japan).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import asyncpg

from jumin_platform.consistency.checks import run_periodically
from jumin_platform.consumer import ConsumerKit
from jumin_platform.inbound.publisher import CommandPublisher

__all__ = ["WARD_TIME", "AdapterRuntime", "Closeable", "Loop", "scheduled_check", "ward_now"]

logger = logging.getLogger(__name__)

WARD_TIME = ZoneInfo("Asia/Tokyo")
"""The ward's time zone: 異動日, 通知日 and scheduled checks are days and hours in Japan."""


def ward_now() -> datetime:
    """Return the current time in Japan time."""
    return datetime.now(UTC).astimezone(WARD_TIME)


class Closeable(Protocol):
    """A client the adapter closes when it stops (an httpx client, an external system's client)."""

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class Loop:
    """A background loop of the adapter: its task name (no personal data) and what it runs."""

    name: str
    run: Callable[[], Awaitable[None]]


@dataclass(kw_only=True)
class AdapterRuntime:
    """The parts every adapter holds and the order it starts and stops them in."""

    pool: asyncpg.Pool[Any]
    kit: ConsumerKit
    publisher: CommandPublisher | None = None
    clients: tuple[Closeable, ...] = ()
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def loops(self) -> Iterator[Loop]:
        """Name the adapter's background loops (pollers, dispatchers, scheduled checks)."""
        return iter(())

    async def start(self) -> None:
        """Connect the publisher, start consuming, then run each loop as a task."""
        if self.publisher is not None:
            await self.publisher.start()
        await self.kit.start()
        self.tasks = [asyncio.create_task(_run(loop), name=loop.name) for loop in self.loops()]

    async def close(self) -> None:
        """Stop the loops and the consumer; close the publisher, the clients and the pool."""
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            # A loop that crashed was logged when it did (`_run`): closing goes on.
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        try:
            await self.kit.stop()
        finally:
            if self.publisher is not None:
                with contextlib.suppress(Exception):
                    await self.publisher.stop()
            for client in self.clients:
                await client.aclose()
            await self.pool.close()


def scheduled_check(
    name: str, check: Callable[[str, datetime], Awaitable[object]], *, every: float
) -> Iterator[Loop]:
    """Yield the loop running the 整合性確認 `check` every `every` seconds (none when 0)."""
    if every > 0:
        yield Loop(name, lambda: run_periodically(check, every=every, clock=ward_now))


async def _run(loop: Loop) -> None:
    """Run one loop; a crash is logged with the loop's name (the task would else hide it)."""
    try:
        await loop.run()
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("adapter loop %s stopped", loop.name)
        raise
