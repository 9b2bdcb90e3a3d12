"""Assemble a simulator's FastAPI app: coded errors, fault injection, attempt counting, tracing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from fastapi import APIRouter, FastAPI
from jumin_platform.telemetry import instrument_fastapi

from jumin_simulator.errors import busy, down
from jumin_simulator.faults import FaultSource
from jumin_simulator.middleware import AttemptCounterMiddleware, FaultMiddleware
from jumin_simulator.problems import drop_default_validation_answers, install_coded_error_handlers

health_router = APIRouter(tags=["health"])


@health_router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def equip(
    app: FastAPI,
    *,
    simulator: FaultSource,
    system: str,
    api_prefix: str,
    message_path: str,
    count_attempt: Callable[[UUID], None],
    routers: Sequence[APIRouter],
) -> FastAPI:
    """Give *app* (from `service_api`) what every simulator has, and its routers.

    Faults hit the paths under *api_prefix* (what the ward talks to), never `/sim/*` or
    `/healthz`; every POST to *message_path* is counted per event id before anything answers it.
    """
    app.state.simulator = simulator
    install_coded_error_handlers(app)
    app.add_middleware(
        FaultMiddleware,
        simulator=simulator,
        prefix=api_prefix,
        message_path=message_path,
        busy=busy(system),
        down=down(system),
    )
    # outer: sees every POST
    app.add_middleware(AttemptCounterMiddleware, path=message_path, count=count_attempt)
    app.include_router(health_router)
    for router in routers:
        app.include_router(router)
    instrument_fastapi(app)
    app.openapi_schema = drop_default_validation_answers(app.openapi())
    return app
