"""The slice as real processes: registry API, outbox relay, registry command consumer, cs_adapter,
the 市町村CS, 戸籍附票システム and 出入国在留管理庁 simulators, the koseki_adapter and moj_notify (each
once installed), on the slice's own database and vhost.

    environment = SliceEnvironment.from_env(tmp)
    await provision(environment)          # fresh database and vhost (deploy/local/provision.sh)
    ward = Slice.build(environment)
    await ward.start()
    …
    ward.stop()
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

from ..broker import delete_vhost
from .environment import SliceEnvironment
from .processes import BIN, ROOT, ServiceProcess, run_command, script

KOSEKI_ADAPTER = "jumin-koseki-adapter"
MOJ_NOTIFY = "jumin-moj-notify"


def installed(console_script: str) -> bool:
    """The workspace has this console script (the slice then runs its service)."""
    return (BIN / console_script).exists()


def koseki_adapter_installed() -> bool:
    """The workspace has the koseki_adapter's console script (the slice then runs it)."""
    return installed(KOSEKI_ADAPTER)


async def http_ok(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


def _as_postgres(*argv: str) -> list[str]:
    return (
        ["runuser", "-u", "postgres", "--", *argv]
        if os.geteuid() == 0
        else ["sudo", "-n", "-u", "postgres", "--", *argv]
    )


async def drop_database(environment: SliceEnvironment) -> None:
    """Drop the slice's database (sessions still connected are ended: it is ours alone)."""
    name = environment.database
    if "test" not in name and "bench" not in name:
        raise RuntimeError(f"refusing to drop {name!r}: the slice's database must be a test one")
    await run_command(
        _as_postgres(
            "psql",
            "-X",
            "-q",
            "-p",
            str(environment.pg_port),
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        ),
        env=environment.base(),
        log=environment.logs / "provision.log",
        within=60,
        cwd=Path("/"),
    )


async def provision(environment: SliceEnvironment, *, fresh: bool = True) -> None:
    """Make the slice's database and vhost with deploy/local/provision.sh (fresh: drop both first)."""
    if fresh:
        await drop_database(environment)
        await delete_vhost(environment.vhost)
    await run_command(
        [str(ROOT / "deploy/local/provision.sh"), environment.database],
        env=environment.base(),
        log=environment.logs / "provision.log",
        within=300,
    )


@dataclass
class Slice:
    """The processes of the slice (the koseki_adapter only once it is installed)."""

    environment: SliceEnvironment
    simulator: ServiceProcess
    registry: ServiceProcess
    relay: ServiceProcess
    commands: ServiceProcess
    cs_adapter: ServiceProcess
    koseki_simulator: ServiceProcess
    koseki_adapter: ServiceProcess | None
    moj_simulator: ServiceProcess
    moj_notify: ServiceProcess | None

    @classmethod
    def build(cls, environment: SliceEnvironment) -> Slice:
        e = environment
        logs = e.logs

        def log_says(process: ServiceProcess, text: str) -> bool:
            return text in process.output_since_start()

        registry_env = e.registry()
        relay = ServiceProcess(
            "relay", [script("jumin-registry"), "relay"], registry_env, logs / "relay.log"
        )
        relay.ready = lambda: _true(log_says(relay, "relay is active"))

        # Log lines, not the management API: its consumer counts lag by its stats interval (5 s).
        commands = ServiceProcess(
            "commands", [script("jumin-registry"), "commands"], registry_env, logs / "commands.log"
        )
        commands.ready = lambda: _true(log_says(commands, "consuming registry.in"))
        cs_adapter = ServiceProcess(
            "cs-adapter",
            [script("jumin-cs-adapter"), "serve"],
            e.cs_adapter(),
            logs / "cs-adapter.log",
        )

        async def cs_adapter_ready() -> bool:
            consuming = log_says(cs_adapter, "consuming cs.events")
            return consuming and await http_ok(f"{e.cs_adapter_url}/healthz")

        cs_adapter.ready = cs_adapter_ready

        return cls(
            environment=e,
            simulator=_simulator(e, "cs-simulator", e.simulator(), e.simulator_url),
            registry=ServiceProcess(
                "registry",
                [script("jumin-registry"), "serve"],
                registry_env,
                logs / "registry.log",
                ready=lambda: http_ok(f"{e.registry_url}/readyz"),
            ),
            relay=relay,
            commands=commands,
            cs_adapter=cs_adapter,
            koseki_simulator=_simulator(
                e, "koseki-simulator", e.koseki_simulator(), e.koseki_simulator_url
            ),
            koseki_adapter=_koseki_adapter(e) if koseki_adapter_installed() else None,
            moj_simulator=_simulator(e, "moj-simulator", e.moj_simulator(), e.moj_simulator_url),
            moj_notify=_moj_notify(e) if installed(MOJ_NOTIFY) else None,
        )

    @property
    def simulators(self) -> tuple[ServiceProcess, ...]:
        return (self.simulator, self.koseki_simulator, self.moj_simulator)

    @property
    def adapters(self) -> tuple[ServiceProcess, ...]:
        adapters = (self.cs_adapter, self.koseki_adapter, self.moj_notify)
        return tuple(a for a in adapters if a is not None)

    def __iter__(self) -> Iterator[ServiceProcess]:
        yield from (*self.simulators, self.registry, self.relay, self.commands, *self.adapters)

    async def start(self, within: float = 90.0) -> None:
        """Start every process and wait until each is ready (the simulators first: the adapters
        poll them)."""
        try:
            await _start_together(self.simulators, within)
            await _start_together((self.registry, self.relay, self.commands), within)
            await _start_together(self.adapters, within)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every process, the adapter first (SIGTERM, then SIGKILL after a grace period)."""
        for process in reversed(list(self)):
            process.stop()

    def logs(self) -> dict[str, str]:
        """Every process's output so far."""
        return {p.name: p.output() for p in self}

    def dump(self, lines: int = 60) -> str:
        """The tail of every process's log, for a failing test's report."""
        parts = [f"==== {p.name} ({p.log}) ====\n{p.tail(lines)}" for p in self]
        return "\n".join(parts)


async def _true(value: bool) -> bool:
    return value


async def _start_together(processes: tuple[ServiceProcess, ...], within: float) -> None:
    for process in processes:
        process.start()
    await asyncio.gather(*(p.wait_ready(within) for p in processes))


def _simulator(e: SliceEnvironment, name: str, env: dict[str, str], url: str) -> ServiceProcess:
    """A simulator `name` (console script `jumin-<name>`): ready once it answers /healthz."""
    argv = [script(f"jumin-{name}"), "serve"]
    ready = partial(http_ok, f"{url}/healthz")
    return ServiceProcess(name, argv, env, e.logs / f"{name}.log", ready=ready)


def _adapter(
    e: SliceEnvironment, name: str, env: dict[str, str], *, queue: str, url: str
) -> ServiceProcess:
    """An adapter `name` (console script `jumin-<name>`): ready once it consumes its queue and
    answers its health check."""
    argv = [script(f"jumin-{name}"), "serve"]
    adapter = ServiceProcess(name, argv, env, e.logs / f"{name}.log")

    async def ready() -> bool:
        consuming = f"consuming {queue}" in adapter.output_since_start()
        return consuming and await http_ok(f"{url}/healthz")

    adapter.ready = ready
    return adapter


def _koseki_adapter(e: SliceEnvironment) -> ServiceProcess:
    return _adapter(
        e, "koseki-adapter", e.koseki_adapter(), queue="koseki.events", url=e.koseki_adapter_url
    )


def _moj_notify(e: SliceEnvironment) -> ServiceProcess:
    return _adapter(e, "moj-notify", e.moj_notify(), queue="moj.events", url=e.moj_notify_url)
