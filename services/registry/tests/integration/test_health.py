"""Liveness and readiness probes answer without a token; readiness needs the database."""

from __future__ import annotations

import httpx
from registry.config import Settings
from registry.entrypoints.api.app import create_app

from .helpers import is_problem


async def test_the_service_is_alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_the_service_is_ready_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_the_service_is_not_ready_once_the_database_is_gone(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            await app.state.registry.pool.close()

            ready = await http.get("/readyz")
            alive = await http.get("/healthz")

    assert is_problem(ready, 503)
    assert alive.status_code == 200
