"""The real 出入国在留管理庁 simulator app in-process, for the service's tests
(`jumin_testing.simulator_side`: faults, what it received, counts; plus the ministry's own
results and 長官通知, injected through its test API)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from jumin_testing.simulator_side import SimulatorSide
from moj_simulator.config import Settings as SimulatorSettings
from moj_simulator.entrypoints.app import create_app as create_simulator

__all__ = ["Simulated", "simulated"]


class Simulated(SimulatorSide):
    """The simulator's test side, with what the ministry sends on its own."""

    async def result(self, **result: Any) -> None:
        """Queue a 処理結果 now (`/sim/results`)."""
        answer = await self.sim.post("/sim/results", json=result)
        assert answer.status_code == 201, answer.text

    async def director_notice(self, **notice: Any) -> None:
        """Queue a 長官通知 (`/sim/director-notices`)."""
        answer = await self.sim.post("/sim/director-notices", json=notice)
        assert answer.status_code == 201, answer.text


@asynccontextmanager
async def simulated() -> AsyncIterator[Simulated]:
    """A fresh simulator (memory only, short hangs, repeatable fault draws, results much later)."""
    app = create_simulator(SimulatorSettings(timeout_hang=0.2, seed=7, result_delay=3600))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://moj") as sim:
        yield Simulated(app, sim)
