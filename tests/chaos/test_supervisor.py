"""`make up`'s supervisor keeps the system up: each process SIGKILLed in turn comes back while the
others keep serving, and nothing approved meanwhile is lost on the way to CS.

The stack starts as `make up` starts it — deploy/local/up.sh with deploy/local/supervisord.conf —
on its own database and vhost (JUMIN_E2E_DB / JUMIN_E2E_VHOST + `_sv`, provisioned fresh), free
ports, and its own supervisord socket, log and CS-state files in a temporary directory.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from jumin_testing.e2e.clients import Outbox, RegistryClient, SimulatorClient
from jumin_testing.e2e.environment import SliceEnvironment, SliceSettings
from jumin_testing.e2e.people import family
from jumin_testing.e2e.processes import ROOT, ServiceProcess, script
from jumin_testing.e2e.scenarios import moved_in
from jumin_testing.e2e.slice import http_ok, provision
from jumin_testing.waiting import eventually

CONF = ROOT / "deploy/local/supervisord.conf"
PROGRAMS = ("cs_simulator", "registry", "relay:relay-0", "relay:relay-1", "commands", "cs_adapter")


class Stack:
    """`deploy/local/up.sh` as a subprocess, and supervisorctl against its supervisord."""

    def __init__(self, environment: SliceEnvironment, run_dir: Path) -> None:
        e = self.environment = environment
        self.env = {
            **e.base(),
            "JUMIN_REGISTRY_PORT": str(e.ports.registry),
            "JUMIN_CS_ADAPTER_PORT": str(e.ports.cs_adapter),
            "JUMIN_CS_SIMULATOR_PORT": str(e.ports.simulator),
            "JUMIN_AUDIT_WITNESS_PORT": str(e.ports.audit_witness),
            "JUMIN_CS_ADAPTER_CS_BASE_URL": e.simulator_url,
            "JUMIN_REGISTRY_RELAY_POLL_SECONDS": str(e.relay_poll_seconds),
            "JUMIN_CS_ADAPTER_POLL_INTERVAL": str(e.cs_poll_interval),
            "JUMIN_CS_SIMULATOR_MY_NUMBER_DELAY": str(e.my_number_delay),
            "JUMIN_RUN_DIR": str(run_dir),  # short: it holds a unix socket
            "JUMIN_LOG_DIR": str(e.logs / "supervised"),
            "JUMIN_CS_SIMULATOR_STATE_FILE": str(e.workdir / "cs-simulator.sqlite3"),
        }
        self.up = ServiceProcess(
            "up", [str(ROOT / "deploy/local/up.sh"), e.database], self.env, e.logs / "up.log"
        )
        self.up.ready = self.serving

    def ctl(self, *args: str) -> str:
        argv = [script("supervisorctl"), "-c", str(CONF), *args]
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    def pid(self, program: str) -> int:
        out = self.ctl("pid", program)
        return int(out) if out.isdigit() else 0

    def pids(self) -> dict[str, int]:
        return {program: self.pid(program) for program in PROGRAMS}

    async def serving(self, *programs: str) -> bool:
        """Each program (all by default) is RUNNING; an HTTP one also answers its health check."""
        e = self.environment
        health = {
            "cs_simulator": f"{e.simulator_url}/healthz",
            "registry": f"{e.registry_url}/readyz",
            "cs_adapter": f"{e.cs_adapter_url}/healthz",
        }
        for program in programs or PROGRAMS:
            if "RUNNING" not in self.ctl("status", program):
                return False
            if program in health and not await http_ok(health[program]):
                return False
        return True

    async def came_back(self, program: str, old_pid: int) -> None:
        """supervisord started the program again (a new pid) and it serves."""
        await eventually(
            lambda: self.pid(program) not in (0, old_pid), what=f"{program} restarted", within=60
        )
        await eventually(lambda: self.serving(program), what=f"{program} serving", within=90)


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    settings = SliceSettings()
    environment = SliceEnvironment(
        workdir=tmp_path, database=f"{settings.database}_sv", vhost=f"{settings.vhost}_sv"
    )
    await provision(environment)
    with tempfile.TemporaryDirectory(prefix="jumin-sv-") as run_dir:
        running = Stack(environment, Path(run_dir))
        try:
            await running.up.start_ready(within=180)
            yield running
        finally:
            running.up.stop(grace=30)
            print(f"\nsupervised stack's logs: {environment.logs}")


async def test_each_process_killed_comes_back_and_nothing_is_lost(stack: Stack) -> None:
    registry = RegistryClient(stack.environment.registry_url)
    cs = SimulatorClient(stack.environment.simulator_url)
    outbox = Outbox(stack.environment)
    changes: list[str] = []
    try:
        for victim in PROGRAMS:
            before = stack.pids()
            assert all(before.values()), before
            os.kill(before[victim], signal.SIGKILL)
            others = [p for p in PROGRAMS if p != victim]
            if victim != "registry":  # approved while the victim is down
                changes.append((await moved_in(registry, family(1)))["change_id"])
            assert await stack.serving(*others), f"others stopped serving with {victim} down"
            await stack.came_back(victim, before[victim])
            after = stack.pids()
            assert {p: after[p] for p in others} == {p: before[p] for p in others}, victim
        changes.append((await moved_in(registry, family(1)))["change_id"])

        sent = await outbox.sent(*changes)
        assert len({s.change_id for s in sent}) == len(changes)
        event_ids = {s.event_id for s in sent}

        async def accepted() -> dict[str, int]:
            counts = await cs.counts()
            return {e: int(counts[e]["accepted"]) for e in event_ids if e in counts}

        # every message reached CS, once — those of the changes approved while the relay, the
        # adapter or CS itself was down too; and CS still holds those it got before its restart
        arrived = await eventually(
            accepted, lambda a: len(a) == len(event_ids), what="every message at CS", within=90
        )
        assert set(arrived.values()) == {1}
    finally:
        await registry.aclose()
        await cs.aclose()

    # one stream, each line prefixed with the process's name; both relays ran
    stream = stack.up.output()
    assert re.search(r"^\d\d:\d\d:\d\d relay-[01] +\| .*relay is active", stream, re.M)
    assert re.search(r"^\d\d:\d\d:\d\d registry +\| ", stream, re.M)

    # Ctrl-C: supervisord stops every process, then exits
    pids = stack.pids()
    assert stack.up.pid is not None
    os.killpg(stack.up.pid, signal.SIGINT)
    await eventually(lambda: not stack.up.running, what="make up stopped", within=60)
    for pid in pids.values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
