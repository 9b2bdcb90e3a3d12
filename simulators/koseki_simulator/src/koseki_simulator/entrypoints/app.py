"""The simulator's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI
from jumin_platform.service_api import service_api
from jumin_simulator.app import equip

from koseki_simulator.bootstrap import build_simulator
from koseki_simulator.config import Settings
from koseki_simulator.entrypoints import koseki_api, sim_api

DESCRIPTION = """戸籍附票システム simulator — stands in for the ward's 戸籍附票システム (see INTERFACE.md).

`/koseki/v1/*` is what the ward's koseki_adapter uses; `/sim/*` seeds 戸籍, injects 戸籍 events
and faults. Errors are `application/problem+json` with the error code in `code`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the simulator's API around a simulator (restored from its state file, if any)."""
    settings = settings or Settings()
    simulator = build_simulator(settings)
    app = service_api(
        title="Jumin 戸籍附票システム simulator", description=DESCRIPTION, settings=settings
    )
    return equip(
        app,
        simulator=simulator,
        system="戸籍附票システム",
        api_prefix="/koseki/v1/",
        message_path="/koseki/v1/notices",
        count_attempt=lambda event_id: simulator.state.count_attempt(event_id),
        routers=[koseki_api.router, sim_api.router],
    )
