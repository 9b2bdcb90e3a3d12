"""The real 出入国在留管理庁 simulator app in-process, for the service's tests.

`Simulated` holds the app (the service reaches it over ASGI: no network) and a client of its test
side (`/sim/*`: faults, what it received, counts).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from moj_simulator.config import Settings as SimulatorSettings
from moj_simulator.entrypoints.app import create_app as create_simulator

__all__ = ["Simulated", "simulated"]


@dataclass
class Simulated:
    app: FastAPI
    sim: httpx.AsyncClient

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app)

    async def faults(self, **faults: Any) -> None:
        answer = await self.sim.put("/sim/faults", json=faults)
        assert answer.status_code == 200, answer.text

    async def received(self, **query: str) -> list[dict[str, Any]]:
        answer = await self.sim.get("/sim/received", params=query)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items

    async def result(self, **result: Any) -> None:
        """Queue a 処理結果 now (`/sim/results`)."""
        answer = await self.sim.post("/sim/results", json=result)
        assert answer.status_code == 201, answer.text

    async def director_notice(self, **notice: Any) -> None:
        """Queue a 長官通知 (`/sim/director-notices`)."""
        answer = await self.sim.post("/sim/director-notices", json=notice)
        assert answer.status_code == 201, answer.text

    async def counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = (await self.sim.get("/sim/received/counts")).json()
        return counts


@asynccontextmanager
async def simulated() -> AsyncIterator[Simulated]:
    """A fresh simulator (memory only, short hangs, repeatable fault draws, results much later)."""
    settings = SimulatorSettings(timeout_hang=0.2, seed=7, result_delay=3600)
    app = create_simulator(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://moj") as sim:
        yield Simulated(app, sim)
