"""A simulator with a state file remembers across a restart what it held; a reset forgets it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from atena_simulator.config import Settings
from atena_simulator.entrypoints.app import create_app
from jumin_simulator.clock import JST
from jumin_testing.simulator_kit import in_process

from .builders import OTHER_ATENA_NO, OTHER_JUMINHYO_CODE, message, person, send


@asynccontextmanager
async def running(settings: Settings, now: datetime) -> AsyncIterator[httpx.AsyncClient]:
    """One simulator process's life: a new app from the settings (its clock at *now*)."""
    app = create_app(settings)
    app.state.simulator.clock = lambda: now
    async with in_process(app, "http://atena") as client:
        yield client


async def test_a_restarted_simulator_holds_what_it_held(tmp_path: Path) -> None:
    settings = Settings(state_file=tmp_path / "atena.sqlite3", fugo_delay=60, seed=7)
    start = datetime(2026, 12, 1, 10, 0, tzinfo=JST)
    key = "3c9e1f2a-4b5d-4c6e-8f7a-9b0c1d2e3f4a"
    payload = message(person())
    async with running(settings, start) as client:
        first = await send(client, payload, key=key)
        assert first.status_code == 201, first.text
        newborn = message(
            person(atena_no=OTHER_ATENA_NO, juminhyo_code=OTHER_JUMINHYO_CODE, my_number=None)
        )
        assert (await send(client, newborn)).status_code == 201
        before = (await client.get("/sim/persons")).json()
        counts = (await client.get("/sim/received/counts")).json()

    assert [p["fugo_status"] for p in before] == ["requested", "no_my_number"]
    async with running(settings, start + timedelta(minutes=5)) as client:
        assert (await client.get("/sim/received/counts")).json() == counts
        again = await send(client, payload, key=key)  # a resend gets the stored answer
        assert again.json() == {**first.json(), "replayed": True}
        items = (await client.get("/atena/v1/notifications")).json()["items"]
        after = (await client.get("/sim/persons")).json()
        seen_again = (await send(client, message(person()))).json()
        assert seen_again["first_sight"] is False
        assert (await client.post("/sim/reset")).status_code == 204

    [obtained] = items  # the pending request came back after the restart
    assert obtained["body"]["acquisition_no"] == before[0]["acquisition_no"]
    assert obtained["cursor"] > 0
    assert after[0]["fugo"] == obtained["body"]["fugo"]
    assert [p["integrated_atena_no"] for p in after] == [p["integrated_atena_no"] for p in before]
    async with running(settings, start) as client:
        assert (await client.get("/sim/persons")).json() == []
        assert (await client.get("/atena/v1/notifications")).json()["items"] == []
