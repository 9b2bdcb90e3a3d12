"""The cs_adapter's FastAPI application: health, the kit's and the adapter's operator routes."""

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

from cs_adapter.bootstrap import Overrides, adapter_lifespan
from cs_adapter.config import Settings
from cs_adapter.domain.cs_messages import MessageType
from cs_adapter.entrypoints.api import health, operator
from cs_adapter.entrypoints.api.access_logging import install_access_logging
from cs_adapter.entrypoints.api.dependencies import kit_operations, ledger

DESCRIPTION = """住基ネット 市町村CS連携 (cs_adapter) — sends 本人確認情報, 附票通知, 個人番号生成要求
and 転出証明書情報 to CS, takes 個人番号, 転入通知 and free 住民票コード back to the registry.

Operators (admin) resend, switch to 手動連携 and back, release or hand over held 電文 and run
the 整合性確認; auditors read the delivery record. Errors are `application/problem+json`."""


def create_app(settings: Settings | None = None, overrides: Overrides | None = None) -> FastAPI:
    """Build the API; the adapter itself starts with the app (lifespan)."""
    settings = settings or Settings()
    app = service_api(
        title="Jumin cs_adapter (市町村CS連携)",
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
        deliveries_router(
            ledger=ledger,
            types=[t.value for t in MessageType],
            tags=["cs operator"],
            export_touches_my_number=True,
        ),
        dependencies=TERMINAL_REQUIRED,
    )
    app.include_router(operator.router, dependencies=TERMINAL_REQUIRED)
    install_access_logging(app)  # inside the tracing middleware: rows carry the trace id
    instrument_fastapi(app)
    return app


async def _operator_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OperatorError | OperatorRefusal)
    return problem_response(exc.status, exc.title, exc.detail)
