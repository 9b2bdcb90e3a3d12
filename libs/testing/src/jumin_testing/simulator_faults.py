"""The fault-injection checks every simulator's unit tests make the same way (jumin_simulator's
faults: latency, E-BUSY, E-DOWN, a hang), each test naming its own calls.

    await check_latency(client, "/moj/v1/notifications")
    await check_down(client, lambda: send(client, notice(notice_body())))
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
import pytest

from jumin_testing.simulator_kit import set_faults

__all__ = ["check_busy", "check_down", "check_latency", "check_timeout"]

Send = Callable[[], Awaitable[httpx.Response]]
"""One call of the simulator's message API."""


async def check_latency(client: httpx.AsyncClient, path: str) -> None:
    """A latency of 300 ms delays a GET of *path*, which still answers 200."""
    await set_faults(client, latency_ms=300)

    started = time.monotonic()
    response = await client.get(path)

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.25


async def check_busy(
    client: httpx.AsyncClient, send: Send, *, event_id: str, read_path: str, attempts: int = 3
) -> None:
    """At an error rate of 1, *attempts* sends and a GET of *read_path* are all `503 E-BUSY`,
    and the simulator counts the attempts of *event_id* and accepts none."""
    await set_faults(client, error_rate=1.0)

    answers = [await send() for _ in range(attempts)]
    answers.append(await client.get(read_path))

    assert {(r.status_code, r.json()["code"]) for r in answers} == {(503, "E-BUSY")}
    counts = (await client.get("/sim/received/counts")).json()
    assert counts[event_id] == {"accepted": 0, "attempts": attempts}


async def check_down(client: httpx.AsyncClient, send: Send) -> None:
    """A simulator that is down answers `503 E-DOWN` at once (not after its latency); its health
    check still answers."""
    await set_faults(client, down=True, latency_ms=5000)

    started = time.monotonic()
    response = await send()

    assert (response.status_code, response.json()["code"]) == (503, "E-DOWN")
    assert time.monotonic() - started < 4
    assert (await client.get("/healthz")).status_code == 200


async def check_timeout(
    client: httpx.AsyncClient, path: str, params: Mapping[str, Any] | None = None
) -> None:
    """A timeout fault makes a client waiting 0.2 s give up on a GET of *path* (the simulators'
    test settings hang for 1 s)."""
    await set_faults(client, timeout_rate=1.0)

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await client.get(path, params=params)
