"""The koseki_adapter's FastAPI application: health and the operator routes."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from jumin_platform.consumer.operations import OperatorError
from jumin_platform.consumer.operator_api import operator_router
from jumin_platform.deliveries import OperatorRefusal
from jumin_platform.deliveries.api import deliveries_router
from jumin_platform.problems import problem_response
from jumin_platform.service_api import service_api
from jumin_platform.telemetry import instrument_fastapi
from jumin_platform.terminal import TERMINAL_REQUIRED

from koseki_adapter.bootstrap import Overrides, adapter_lifespan
from koseki_adapter.config import Settings
from koseki_adapter.domain.fuhyo_notices import MESSAGE_TYPES
from koseki_adapter.entrypoints.api import consistency, health, notifications
from koseki_adapter.entrypoints.api.access_logging import install_access_logging
from koseki_adapter.entrypoints.api.dependencies import kit_operations, ledger

DESCRIPTION = """戸籍附票システム連携 (koseki_adapter) — sends 附票記載事項通知 (住基法19条1項) for
people whose 本籍 is in the ward to the ward's 戸籍附票システム, and takes the 戸籍 side's notices
back to the registry.

Operators (admin) resend, switch to 手動連携 and back, release or hand over held notices; auditors
read the delivery record (提供・移転の記録). Errors are `application/problem+json`."""


def create_app(settings: Settings | None = None, overrides: Overrides | None = None) -> FastAPI:
    """Build the API; the adapter itself starts with the app (lifespan)."""
    settings = settings or Settings()
    app = service_api(
        title="Jumin koseki_adapter (戸籍附票システム連携)",
        description=DESCRIPTION,
        settings=settings,
        lifespan=adapter_lifespan,
    )
    app.state.overrides = overrides or Overrides()
    app.state.adapter = None
    app.state.token_verifier = settings.token_verifier()
    app.exception_handler(OperatorError)(_operator_error)
    app.exception_handler(OperatorRefusal)(_operator_error)
    app.include_router(health.router)
    app.include_router(operator_router(kit_operations(app.state)), dependencies=TERMINAL_REQUIRED)
    app.include_router(
        deliveries_router(ledger=ledger, types=MESSAGE_TYPES, tags=["koseki operator"]),
        dependencies=TERMINAL_REQUIRED,
    )
    app.include_router(notifications.router, dependencies=TERMINAL_REQUIRED)
    app.include_router(consistency.router, dependencies=TERMINAL_REQUIRED)
    install_access_logging(app)  # inside the tracing middleware: rows carry the trace id
    instrument_fastapi(app)
    return app


async def _operator_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OperatorError | OperatorRefusal)
    return problem_response(exc.status, exc.title, exc.detail)
