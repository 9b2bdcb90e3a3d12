"""A simulator's app in-process and its test side (`/sim/*`), for an adapter's tests
(koseki_adapter, moj_notify): the adapter reaches the app over ASGI (no network); the test sets
faults and reads what the simulator received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

__all__ = ["SimulatorSide"]


@dataclass
class SimulatorSide:
    """The simulator's app and a client of its test side."""

    app: FastAPI
    sim: httpx.AsyncClient

    def transport(self) -> httpx.AsyncBaseTransport:
        """A transport to the app, for the adapter's client."""
        return httpx.ASGITransport(app=self.app)

    async def faults(self, **faults: Any) -> None:
        answer = await self.sim.put("/sim/faults", json=faults)
        assert answer.status_code == 200, answer.text

    async def received(self, **query: str) -> list[dict[str, Any]]:
        answer = await self.sim.get("/sim/received", params=query)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items

    async def counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = (await self.sim.get("/sim/received/counts")).json()
        return counts
