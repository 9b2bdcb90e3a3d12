"""The simulator's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI
from jumin_platform.service_api import service_api
from jumin_simulator.app import equip

from intermediate_simulator.bootstrap import build_simulator
from intermediate_simulator.config import Settings
from intermediate_simulator.entrypoints import intermediate_api, sim_api

DESCRIPTION = """中間サーバー simulator — keeps the ward's 副本 per 符号 and data item, answers other
bodies' 情報照会 on a legal basis from its table and records every answer as an 情報提供等記録
(see INTERFACE.md).

`/intermediate/v1/*` is what the ward's intermediate_server uses (副本の登録・更新・削除, the 副本
for a 整合性確認, the 情報提供等記録 of a person); `/sim/*` plays the other bodies (情報照会), keeps
the legal-basis table and injects faults. Errors are `application/problem+json` with the error
code in `code`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the simulator's API around a simulator (restored from its state file, if any)."""
    settings = settings or Settings()
    simulator = build_simulator(settings)
    app = service_api(
        title="Jumin 中間サーバー simulator", description=DESCRIPTION, settings=settings
    )
    return equip(
        app,
        simulator=simulator,
        system="中間サーバー",
        api_prefix="/intermediate/v1/",
        message_path="/intermediate/v1/copies",
        count_attempt=lambda event_id: simulator.state.count_attempt(event_id),
        routers=[intermediate_api.router, sim_api.router],
    )
