"""`bench.pipeline`'s processes: the relay and one consumer kit per recipient, driven by pipes."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from bench.pipeline.roles import Handled, consumer_main, relay_main
from bench.pipeline.settings import RECIPIENTS, BenchConfig, log, schema_of


@dataclass
class Role:
    process: BaseProcess
    pipe: Connection

    async def receive(self, within_s: float = 120.0) -> Any:
        loop = asyncio.get_running_loop()
        ready = await loop.run_in_executor(None, self.pipe.poll, within_s)
        if not ready:
            raise RuntimeError(f"{self.process.name} did not answer within {within_s}s")
        return self.pipe.recv()

    async def ask(self, command: str, within_s: float = 120.0) -> Any:
        self.pipe.send(command)
        return await self.receive(within_s)


@dataclass
class Pipeline:
    """The relay and the five consumer kits, each in its own process."""

    config: BenchConfig
    ctx: Any = field(default_factory=lambda: multiprocessing.get_context("spawn"))
    consumers: dict[str, Role] = field(default_factory=dict)
    counters: dict[str, Any] = field(default_factory=dict)
    relay: Role | None = None
    handled: dict[str, list[Handled]] = field(default_factory=lambda: defaultdict(list))

    def _spawn(self, name: str, target: Callable[..., None], *args: Any) -> Role:
        parent, child = self.ctx.Pipe()
        process = self.ctx.Process(target=target, args=(*args, child), name=name, daemon=True)
        process.start()
        return Role(process, parent)

    async def start_consumers(self) -> None:
        c = self.config
        for recipient in RECIPIENTS:
            counter = self.ctx.Value("q", 0, lock=False)
            self.counters[recipient] = counter
            self.consumers[recipient] = self._spawn(
                f"kit-{recipient}",
                consumer_main,
                recipient,
                schema_of(recipient),
                c.service_dsn,
                c.plan,
                c.prefetch,
                counter,
            )
        for role in self.consumers.values():
            if (answer := await role.receive()) != "ready":
                raise RuntimeError(f"{role.process.name}: {answer!r}")
        log(
            "consumers: "
            + ", ".join(f"{r.process.name}={r.process.pid}" for r in self.consumers.values())
        )

    async def spawn_relay(self) -> None:
        """Start a relay process that waits for `release_relay`."""
        c = self.config
        self.relay = self._spawn(
            "relay", relay_main, c.service_dsn, c.plan, str(c.key_file), c.relay_batch
        )
        if (answer := await self.relay.receive()) != "ready":
            raise RuntimeError(f"relay: {answer!r}")
        log(f"relay: pid {self.relay.process.pid} (main {os.getpid()})")

    async def release_relay(self) -> float:
        assert self.relay is not None
        released: float = await self.relay.ask("go")
        return released

    async def stop_relay(self) -> None:
        if self.relay is not None:
            await self.relay.ask("stop", within_s=30)
            self.relay.process.join(10)
            self.relay = None

    def roles(self) -> dict[int, str]:
        """pid → role name, for CPU accounting."""
        named = {r.process.pid: r.process.name for r in self.consumers.values()}
        if self.relay is not None:
            named[self.relay.process.pid] = "relay"
        return {pid: name for pid, name in named.items() if pid is not None}

    def handled_count(self) -> int:
        return sum(int(counter.value) for counter in self.counters.values())

    async def wait_handled(self, total: int, *, what: str, within_s: float = 900.0) -> None:
        deadline = time.monotonic() + within_s
        last_report = time.monotonic()
        while (count := self.handled_count()) < total:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what}: only {count} of {total} handled in {within_s}s")
            if time.monotonic() - last_report > 10:
                log(f"  … {what}: {count}/{total} handled")
                last_report = time.monotonic()
            await asyncio.sleep(0.02)

    async def collect(self) -> dict[str, list[Handled]]:
        """What each kit handled since the last collect (also kept for the final checks)."""
        batch = {}
        for recipient, role in self.consumers.items():
            records: list[Handled] = await role.ask("collect")
            batch[recipient] = records
            self.handled[recipient].extend(records)
        return batch

    async def stop(self) -> None:
        await self.stop_relay()
        for role in self.consumers.values():
            with contextlib.suppress(RuntimeError, EOFError, BrokenPipeError):
                await role.ask("stop", within_s=60)
            role.process.join(10)
            if role.process.is_alive():
                role.process.terminate()
        self.consumers.clear()
