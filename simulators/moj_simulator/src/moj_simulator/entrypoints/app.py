"""The simulator's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI
from jumin_platform.service_api import service_api
from jumin_simulator.app import equip

from moj_simulator.bootstrap import build_simulator
from moj_simulator.config import Settings
from moj_simulator.entrypoints import moj_api, sim_api

DESCRIPTION = """出入国在留管理庁 (法務省) simulator — stands in for the ministry's 連携サーバ behind
the 情報連携端末 (see INTERFACE.md).

`/moj/v1/*` is what the ward's moj_notify uses (市町村通知・市町村伝達, then processing results and
長官通知 by cursor); `/sim/*` seeds the ministry's record, injects results, 長官通知 and faults.
Errors are `application/problem+json` with the error code in `code`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the simulator's API around a simulator (restored from its state file, if any)."""
    settings = settings or Settings()
    simulator = build_simulator(settings)
    app = service_api(
        title="Jumin 出入国在留管理庁 simulator", description=DESCRIPTION, settings=settings
    )
    return equip(
        app,
        simulator=simulator,
        system="出入国在留管理庁",
        api_prefix="/moj/v1/",
        message_path="/moj/v1/notices",
        count_attempt=lambda event_id: simulator.state.count_attempt(event_id),
        routers=[moj_api.router, sim_api.router],
    )
