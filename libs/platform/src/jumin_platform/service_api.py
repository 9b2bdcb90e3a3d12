"""The start of every service's FastAPI application: OpenAPI title, settings, problem+json errors.

A service's `create_app` calls `service_api`, adds its own routers, error handlers and middleware,
and calls `telemetry.instrument_fastapi(app)` last (the tracing middleware must wrap the rest).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI

from jumin_platform.problems import install_problem_handlers
from jumin_platform.settings import ServiceSettings

__all__ = ["service_api"]

VERSION = "0.1.0"


def service_api(
    *,
    title: str,
    description: str,
    settings: ServiceSettings,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
) -> FastAPI:
    """Return the app with `app.state.settings` set and problem+json answers for every error."""
    app = FastAPI(title=title, version=VERSION, description=description, lifespan=lifespan)
    app.state.settings = settings
    install_problem_handlers(app)
    return app
