"""The real 戸籍附票システム simulator app in-process, for the adapter's tests.

`Simulated` holds the app, the adapter's `FuhyoClient` talking to it over ASGI (no network) and a
client of its test side (`/sim/*`: seed 戸籍, faults, what it received).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from jumin_testing.simulator_side import SimulatorSide
from koseki_adapter.adapters.fuhyo_client import FuhyoClient
from koseki_simulator.config import Settings as SimulatorSettings
from koseki_simulator.entrypoints.app import create_app as create_simulator

__all__ = ["Simulated", "simulated"]


@dataclass
class Simulated(SimulatorSide):
    """The simulator and the adapter's `FuhyoClient` talking to it."""

    fuhyo: FuhyoClient

    async def seed(self, koseki: dict[str, Any]) -> None:
        answer = await self.sim.put("/sim/koseki", json=koseki)
        assert answer.status_code in (200, 201), answer.text


@asynccontextmanager
async def simulated() -> AsyncIterator[Simulated]:
    """A fresh simulator (memory only, short hangs, repeatable fault draws)."""
    app = create_simulator(SimulatorSettings(timeout_hang=0.2, seed=7))
    fuhyo = FuhyoClient(
        base_url="http://koseki",
        timeout=2.0,
        municipality_code="131041",
        transport=httpx.ASGITransport(app=app),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://koseki") as sim:
        try:
            yield Simulated(app, sim, fuhyo)
        finally:
            await fuhyo.aclose()
