"""A simulator with a state file remembers across a restart what it held; a reset forgets it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from intermediate_simulator.config import Settings
from intermediate_simulator.entrypoints.app import create_app
from jumin_testing.simulator_kit import in_process

from .builders import FUGO, ask, head_items, inquiry, member_items, operation, send


async def _holding(client: httpx.AsyncClient) -> dict[str, Any]:
    async def get(path: str, **params: str) -> Any:
        response = await client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    return {
        "copies": await get("/intermediate/v1/copies"),
        "records": await get("/intermediate/v1/provision-records", fugo=FUGO),
        "bases": await get("/sim/legal-bases"),
        "received": await get("/sim/received"),
        "counts": await get("/sim/received/counts"),
    }


async def test_a_restarted_simulator_holds_what_it_held(tmp_path: Path) -> None:
    settings = Settings(state_file=tmp_path / "intermediate.sqlite3", seed=7)
    key = "3c9e1f2a-4b5d-4c6e-8f7a-9b0c1d2e3f4a"
    payload = operation("register", member_items())
    basis = {
        "basis_id": "school-aid",
        "clause": "test clause",
        "affair": "test affair",
        "requester": "市町村教育委員会",
        "data_items": ["juminhyo_kankei"],
    }
    async with in_process(create_app(settings)) as client:
        first = await send(client, payload, key=key)
        assert first.status_code == 201, first.text
        assert (await client.put("/sim/legal-bases", json=basis)).status_code == 200
        await ask(client, inquiry(legal_basis_id="school-aid"))
        await ask(client, inquiry(legal_basis_id="nobody"))
        before = await _holding(client)

    async with in_process(create_app(settings)) as client:
        assert await _holding(client) == before
        again = await send(client, payload, key=key)  # a resend gets the stored answer
        assert again.json() == {**first.json(), "replayed": True}
        later = operation("update", head_items(), as_of="2026-12-02T10:00:00+09:00")
        assert (await send(client, later)).json()["version"] == 2  # versions go on
        assert (await ask(client, inquiry()))["record_no"] == "PR-000003"
        assert (await client.post("/sim/reset")).status_code == 204

    async with in_process(create_app(settings)) as client:
        assert (await client.get("/intermediate/v1/copies")).json()["items"] == []
        assert "school-aid" not in str((await client.get("/sim/legal-bases")).json())
