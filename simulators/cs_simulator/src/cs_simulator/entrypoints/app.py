"""The simulator's FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from jumin_platform.service_api import service_api
from jumin_simulator.app import equip

from cs_simulator.bootstrap import build_simulator
from cs_simulator.config import Settings
from cs_simulator.entrypoints import cs_api, sim_api
from cs_simulator.service_layer.handlers import answer_pending_requests

DESCRIPTION = """市町村CS simulator — stands in for the ward's 住基ネット 市町村CS (see INTERFACE.md).

`/cs/v1/*` is what the ward's cs_adapter uses; `/sim/*` inspects state and injects faults.
Errors are `application/problem+json` with the CS error code in `code`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the simulator's API around a fresh in-memory simulator."""
    settings = settings or Settings()
    simulator = build_simulator(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        answer_pending_requests(simulator)  # requests a previous process accepted, unanswered
        yield
        simulator.cancel_pending()

    app = service_api(
        title="Jumin 市町村CS simulator",
        description=DESCRIPTION,
        settings=settings,
        lifespan=lifespan,
    )
    return equip(
        app,
        simulator=simulator,
        system="市町村CS",
        api_prefix="/cs/v1/",
        message_path="/cs/v1/messages",
        count_attempt=lambda event_id: simulator.state.count_attempt(event_id),
        routers=[cs_api.router, sim_api.router],
    )
