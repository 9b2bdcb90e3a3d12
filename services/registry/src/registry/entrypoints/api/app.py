"""The registry's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI
from jumin_platform.service_api import service_api
from jumin_platform.telemetry import instrument_fastapi
from jumin_platform.terminal import TERMINAL_REQUIRED

from registry.bootstrap import Overrides, registry_lifespan
from registry.config import Settings
from registry.entrypoints.api import (
    audit,
    changes,
    gaiji,
    health,
    residents,
    support_measures,
    work_items,
)
from registry.entrypoints.api.access_logging import install_access_logging
from registry.entrypoints.api.errors import install_registry_error_handlers

DESCRIPTION = """住民記録システム — the ward's basic resident register (住民基本台帳).

Staff authenticate with a bearer JWT (`sub`, `roles`). Changes (異動) are entered as pending
(仮登録) and become history only when a different member of staff approves them (本登録).
Errors are `application/problem+json`."""


def create_app(settings: Settings | None = None, overrides: Overrides | None = None) -> FastAPI:
    """Build the API with its routers, error handlers and start-up resources."""
    settings = settings or Settings()
    app = service_api(
        title="Jumin registry (住民記録システム)",
        description=DESCRIPTION,
        settings=settings,
        lifespan=registry_lifespan,
    )
    app.state.overrides = overrides
    app.state.token_verifier = settings.token_verifier()
    install_registry_error_handlers(app)
    install_access_logging(app)  # outermost: sees the final status of every request
    app.include_router(health.router)
    staff_routers = (
        changes.router,
        residents.router,
        support_measures.router,
        audit.router,
        work_items.router,
    )
    for staff_router in (*staff_routers, gaiji.router):
        app.include_router(staff_router, dependencies=TERMINAL_REQUIRED)
    instrument_fastapi(app)
    return app
