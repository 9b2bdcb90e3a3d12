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
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from jumin_testing.e2e.clients import Outbox, RegistryClient, SimulatorClient
from jumin_testing.e2e.environment import SliceEnvironment, SliceSettings
from jumin_testing.e2e.people import family
from jumin_testing.e2e.scenarios import moved_in
from jumin_testing.e2e.slice import provision
from jumin_testing.e2e.supervised import PROGRAMS, SupervisedStack
from jumin_testing.waiting import eventually


class Stack(SupervisedStack):
    """The supervised stack, and a killed program's return."""

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
