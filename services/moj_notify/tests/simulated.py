"""The real 出入国在留管理庁 simulator app in-process, for the service's tests
(`jumin_testing.simulator_side`: faults, what it received, counts)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from jumin_testing.simulator_side import SimulatorSide
from moj_simulator.config import Settings as SimulatorSettings
from moj_simulator.entrypoints.app import create_app as create_simulator

__all__ = ["Simulated", "simulated"]

Simulated = SimulatorSide


@asynccontextmanager
async def simulated() -> AsyncIterator[Simulated]:
    """A fresh simulator (memory only, short hangs, repeatable fault draws, results much later)."""
    app = create_simulator(SimulatorSettings(timeout_hang=0.2, seed=7, result_delay=3600))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://moj") as sim:
        yield Simulated(app, sim)
