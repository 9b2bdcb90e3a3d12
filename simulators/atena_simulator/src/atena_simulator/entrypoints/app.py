"""The simulator's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI
from jumin_platform.service_api import service_api
from jumin_simulator.app import equip

from atena_simulator.bootstrap import build_simulator
from atena_simulator.config import Settings
from atena_simulator.entrypoints import atena_api, sim_api

DESCRIPTION = """団体内統合宛名システム simulator — numbers each person once (団体内統合宛名番号) and
obtains their 符号 through 住基ネット (see INTERFACE.md).

`/atena/v1/*` is what the ward's intermediate_server uses (宛名連携, then the 符号 by cursor or by
looking the person up); `/sim/*` inspects what it holds and injects faults. Errors are
`application/problem+json` with the error code in `code`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the simulator's API around a simulator (restored from its state file, if any)."""
    settings = settings or Settings()
    simulator = build_simulator(settings)
    app = service_api(
        title="Jumin 団体内統合宛名システム simulator", description=DESCRIPTION, settings=settings
    )
    return equip(
        app,
        simulator=simulator,
        system="団体内統合宛名システム",
        api_prefix="/atena/v1/",
        message_path="/atena/v1/persons",
        count_attempt=lambda event_id: simulator.state.count_attempt(event_id),
        routers=[atena_api.router, sim_api.router],
    )
