"""The moj_notify FastAPI application: health and the operator routes."""

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

from moj_notify.bootstrap import Overrides, service_lifespan
from moj_notify.config import Settings
from moj_notify.domain.notices import MESSAGE_TYPES
from moj_notify.entrypoints.api import director_notices, health, scheduled, worklist
from moj_notify.entrypoints.api.access_logging import install_access_logging
from moj_notify.entrypoints.api.dependencies import kit_operations, ledger

DESCRIPTION = """法務省連携 (moj_notify) — sends 市町村通知 (入管法61条の8の2) and 市町村伝達 (入管令2条)
about the ward's foreign residents to 出入国在留管理庁, at once and in time order per person (a
転出予定日 ahead is waited for), and takes the ministry's 処理結果 and 長官通知 back.

Operators (admin) retry or withdraw scheduled notices, resend, switch to 手動連携 and back,
release or hand over held notices; auditors read the schedule and the delivery record
(提供・移転の記録). Errors are `application/problem+json`."""


def create_app(settings: Settings | None = None, overrides: Overrides | None = None) -> FastAPI:
    """Build the API; the service itself starts with the app (lifespan)."""
    settings = settings or Settings()
    app = service_api(
        title="Jumin moj_notify (法務省連携)",
        description=DESCRIPTION,
        settings=settings,
        lifespan=service_lifespan,
    )
    app.state.overrides = overrides or Overrides()
    app.state.adapter = None
    app.state.token_verifier = settings.token_verifier()
    app.exception_handler(OperatorError)(_operator_error)
    app.exception_handler(OperatorRefusal)(_operator_error)
    app.include_router(health.router)
    app.include_router(operator_router(kit_operations(app.state)), dependencies=TERMINAL_REQUIRED)
    app.include_router(
        deliveries_router(ledger=ledger, types=MESSAGE_TYPES, tags=["moj operator"]),
        dependencies=TERMINAL_REQUIRED,
    )
    app.include_router(scheduled.router, dependencies=TERMINAL_REQUIRED)
    app.include_router(worklist.router, dependencies=TERMINAL_REQUIRED)
    app.include_router(director_notices.router, dependencies=TERMINAL_REQUIRED)
    install_access_logging(app)  # inside the tracing middleware: rows carry the trace id
    instrument_fastapi(app)
    return app


async def _operator_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OperatorError | OperatorRefusal)
    return problem_response(exc.status, exc.title, exc.detail)
