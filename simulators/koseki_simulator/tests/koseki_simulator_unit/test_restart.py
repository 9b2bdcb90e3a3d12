"""A simulator with a state file remembers across a restart what it held; a reset forgets it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from koseki_simulator.config import Settings
from koseki_simulator.entrypoints.app import create_app

from .builders import HITTOSHA, HONSEKI, MOTHER, notice, notice_body, seed, send


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """One simulator process's life: a new app from the settings."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://koseki") as client:
            yield client


async def _holding(client: httpx.AsyncClient) -> dict[str, Any]:
    async def get(path: str) -> Any:
        response = await client.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    return {
        "koseki": await get("/sim/koseki"),
        "received": await get("/sim/received"),
        "counts": await get("/sim/received/counts"),
        "notifications": await get("/koseki/v1/notifications"),
        "fuhyo": await get("/koseki/v1/fuhyo"),
    }


async def test_a_restarted_simulator_holds_what_it_held(tmp_path: Path) -> None:
    settings = Settings(state_file=tmp_path / "koseki.sqlite3", seed=7)
    key = "3c9e1f2a-4b5d-4c6e-8f7a-9b0c1d2e3f4a"
    accepted = notice(notice_body())
    async with running(settings) as client:
        await seed(client)
        first = await send(client, accepted, key=key)
        assert first.status_code == 201, first.text
        assert (await send(client, notice(notice_body(sex="1")))).status_code == 422
        event = await client.post(
            "/sim/koseki-events",
            json={
                "event": "transfer",
                "honseki": HONSEKI,
                "hittosha": HITTOSHA,
                "new_honseki": "東京都新宿区大久保一丁目1番",
                "event_date": "20261201",
            },
        )
        assert event.status_code == 201, event.text
        before = await _holding(client)

    async with running(settings) as client:
        assert await _holding(client) == before
        again = await send(client, accepted, key=key)  # a resend gets the stored answer
        assert again.json() == {**first.json(), "replayed": True}
        later = await client.post(
            "/sim/collation-notices",
            json={"honseki": HONSEKI, "hittosha": HITTOSHA, "differing_items": ["person"]},
        )
        last = before["notifications"]["items"][-1]["cursor"]
        assert later.json()["cursor"] == last + 1  # the feed goes on where it was
        assert (await client.post("/sim/reset")).status_code == 204

    async with running(settings) as client:
        assert (await client.get("/sim/koseki")).json()["items"] == []
        assert (await client.get("/koseki/v1/fuhyo")).json()["items"] == []
    assert MOTHER in str(before["fuhyo"])  # (the held state was not empty)
