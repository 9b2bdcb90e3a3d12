"""A simulator with a state file remembers across a restart what CS holds; a reset forgets it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from cs_simulator.config import Settings
from cs_simulator.entrypoints.app import create_app

from .builders import BODIES, identity_body, juminhyo_code, message, send


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """One simulator process's life: a new app from the settings, started and stopped."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cs") as client:
            yield client


async def _holding(client: httpx.AsyncClient) -> dict[str, Any]:
    async def get(path: str, **params: Any) -> Any:
        response = await client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    return {
        "received": await get("/sim/received"),
        "counts": await get("/sim/received/counts"),
        "notifications": await get("/cs/v1/notifications", after=0),
        "identities": await get("/cs/v1/identities"),
    }


async def _answers(client: httpx.AsyncClient, count: int) -> list[dict[str, Any]]:
    async with asyncio.timeout(10):
        while True:
            items: list[dict[str, Any]] = (await client.get("/cs/v1/notifications")).json()["items"]
            if len(items) >= count:
                return items
            await asyncio.sleep(0.05)


async def test_a_restarted_simulator_holds_what_it_held(tmp_path: Path) -> None:
    settings = Settings(my_number_delay=0.2, state_file=tmp_path / "cs.sqlite3", seed=7)
    key, batch_key = str(uuid4()), str(uuid4())
    identity = message("identity", identity_body(juminhyo_code(1)))
    async with running(settings) as client:
        first = await send(client, identity, key=key)
        assert first.status_code == 201, first.text
        await send(
            client, message("my_number_request", BODIES["my_number_request"](juminhyo_code(2)))
        )
        notice = {
            "juminhyo_code": juminhyo_code(3),
            "moved_in_on": "20261101",
            "new_address": "大阪府大阪市北区中之島一丁目3番地",
            "new_municipality_code": "271004",
        }
        assert (await client.post("/sim/move-in-notices", json=notice)).status_code == 201
        batch = await client.post(
            "/cs/v1/free-codes", json={"count": 5}, headers={"Idempotency-Key": batch_key}
        )
        await _answers(client, 2)
        before = await _holding(client)

    async with running(settings) as client:
        assert await _holding(client) == before
        again = await send(client, identity, key=key)  # a resend gets the stored reply
        assert again.json() == {**first.json(), "replayed": True}
        replay = await client.post(
            "/cs/v1/free-codes", json={"count": 5}, headers={"Idempotency-Key": batch_key}
        )
        assert replay.json() == batch.json()
        fresh = await client.post(
            "/cs/v1/free-codes", json={"count": 5}, headers={"Idempotency-Key": str(uuid4())}
        )
        assert set(fresh.json()["codes"]).isdisjoint(batch.json()["codes"])
        assert (await client.post("/sim/reset")).status_code == 204

    async with running(settings) as client:
        assert (await client.get("/sim/received")).json()["items"] == []


async def test_a_request_accepted_before_a_crash_is_still_answered(tmp_path: Path) -> None:
    """The answer of a 個人番号生成要求 was a timer of the process that died: the next answers it."""
    settings = Settings(my_number_delay=30, state_file=tmp_path / "cs.sqlite3", seed=7)
    code = juminhyo_code(4)
    async with running(settings) as client:
        await send(client, message("my_number_request", BODIES["my_number_request"](code)))
        assert (await client.get("/cs/v1/notifications")).json()["items"] == []

    async with running(settings.model_copy(update={"my_number_delay": 0.1})) as client:
        [answer] = await _answers(client, 1)
    assert answer["body"]["juminhyo_code"] == code
