"""A simulator with a state file remembers across a restart what it held; a reset forgets it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from jumin_simulator.clock import JST
from moj_simulator.config import Settings
from moj_simulator.entrypoints.app import create_app

from .builders import CARD, OTHER_CARD, notice, notice_body, seed, send


@asynccontextmanager
async def running(
    settings: Settings, now: datetime | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """One simulator process's life: a new app from the settings (its clock at *now*)."""
    app = create_app(settings)
    if now is not None:
        app.state.simulator.clock = lambda: now
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://moj") as client:
            yield client


async def _holding(client: httpx.AsyncClient) -> dict[str, Any]:
    async def get(path: str) -> Any:
        response = await client.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    return {
        "residents": await get("/sim/residents"),
        "received": await get("/sim/received"),
        "counts": await get("/sim/received/counts"),
        "notifications": await get("/moj/v1/notifications"),
    }


async def test_a_restarted_simulator_holds_what_it_held(tmp_path: Path) -> None:
    settings = Settings(state_file=tmp_path / "moj.sqlite3", result_delay=60, seed=7)
    start = datetime(2026, 11, 27, 10, 0, tzinfo=JST)
    key = "3c9e1f2a-4b5d-4c6e-8f7a-9b0c1d2e3f4a"
    payload = notice(notice_body())
    async with running(settings, start) as client:
        await seed(client)
        first = await send(client, payload, key=key)
        assert first.status_code == 201, first.text
        queued = await client.post(
            "/sim/director-notices",
            json={
                "kind": "card_issued",
                "residence_card_no": CARD,
                "effective_date": "20261127",
                "corrections": {"residence_card_no": OTHER_CARD},
                "notice_text": "在留カードを再交付しました。",
            },
        )
        assert queued.status_code == 201, queued.text
        before = await _holding(client)

    assert before["received"]["items"][0]["result"] is None  # not yet due
    later = start + timedelta(minutes=5)
    async with running(settings, later) as client:
        assert (await client.get("/sim/residents")).json() == before["residents"]
        again = await send(client, payload, key=key)  # a resend gets the stored answer
        assert again.json() == {**first.json(), "replayed": True}
        items = (await client.get("/moj/v1/notifications")).json()["items"]
        assert items[0] == before["notifications"]["items"][0]  # the 長官通知, same cursor
        result = items[1]
        assert result["cursor"] == items[0]["cursor"] + 1  # the feed goes on where it was
        assert (result["body"]["receipt_no"], result["body"]["error_code"]) == (
            "MJ-000001",
            "R-CARD-REPLACED",  # due after the restart, decided on the record as it is then
        )
        assert (await client.post("/sim/reset")).status_code == 204

    async with running(settings) as client:
        assert (await client.get("/sim/residents")).json() == []
        assert (await client.get("/moj/v1/notifications")).json()["items"] == []
