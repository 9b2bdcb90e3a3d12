"""The operator API every adapter serves the same way (cs_adapter, koseki_adapter, moj_notify …).

An adapter's `entrypoints/api/dependencies.py` names its running adapter once::

    running_adapter = RunningAdapter[KosekiAdapter]("戸籍附票連携")
    AdapterDep = Annotated[KosekiAdapter, Depends(running_adapter)]

and its `app.py` builds the application from its own routers::

    return adapter_app(
        AdapterApp(title=…, description=…, running=running_adapter, ledger=ledger,
                   message_types=MESSAGE_TYPES, tag="koseki operator"),
        settings, lifespan=adapter_lifespan, overrides=overrides or Overrides(),
        routers=[health.router, notifications.router, consistency.router],
    )

Every adapter thus has the same error answers (problem+json), the kit's operator routes
(parked, dead, skip, resend), the delivery record's routes (送信一覧, 再送信, 手動連携, held
messages), `X-Jumin-Terminal` on every operator route, the hash-chained access log of every call
(written inside the tracing middleware, so rows carry the trace id) and 503 while the adapter is
not running.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Protocol, TypeVar

import asyncpg
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from jumin_platform.access_logging import (
    AccessLogging,
    Appender,
    LogTarget,
    method_and_route,
)
from jumin_platform.adapter_runtime import ward_now
from jumin_platform.auth import Role, Staff, require_roles
from jumin_platform.consumer import ConsumerKit
from jumin_platform.consumer.noted_operations import NotedOperations
from jumin_platform.consumer.operations import NotRunning, OperatorError
from jumin_platform.consumer.operator_api import operator_router
from jumin_platform.deliveries import OperatorRefusal
from jumin_platform.deliveries.api import LedgerAccess, deliveries_router
from jumin_platform.problems import problem_response
from jumin_platform.service_api import service_api
from jumin_platform.settings import ServiceSettings, StaffTokenSettings
from jumin_platform.telemetry import instrument_fastapi
from jumin_platform.terminal import TERMINAL_REQUIRED

__all__ = ["AdapterApp", "Admin", "Reader", "RunningAdapter", "adapter_app"]


class LoggedAdapter(Protocol):
    """What the shared API needs of a running adapter: its pool, kit and access log."""

    @property
    def pool(self) -> asyncpg.Pool[Any]: ...

    @property
    def kit(self) -> ConsumerKit: ...

    @property
    def access_log(self) -> Appender: ...


A = TypeVar("A", bound=LoggedAdapter)


class RunningAdapter(Generic[A]):
    """Find a request's running adapter (a FastAPI dependency); 503 while it is not running."""

    def __init__(self, link: str) -> None:
        """`link` names the adapter for the clerk (e.g. 戸籍附票連携) in the 503's detail."""
        self.not_running = (
            f"{link}が起動していません。しばらくしてから再度実行してください。 "
            "(The adapter is not running; try again shortly.)"
        )

    def __call__(self, request: Request) -> A:
        """Return the started adapter, or answer 503 (between start-up steps, or shutting down)."""
        return self.of(request.app.state)

    def of(self, state: object) -> A:
        """Return the adapter the app's state holds, or raise `NotRunning` (503)."""
        adapter: A | None = getattr(state, "adapter", None)
        if adapter is None:
            raise NotRunning(self.not_running)
        return adapter

    def kit_operations(self, state: object) -> NotedOperations:
        """What the kit's operator router needs: the running kit's operations, looked up late."""
        return NotedOperations(lambda: self.of(state).kit.operations)

    def access_logging(self) -> AccessLogging:
        """The access-log middleware writing to the running adapter's log (fails closed)."""

        def target(request: Request) -> LogTarget:
            adapter = self(request)
            return LogTarget(adapter.pool, adapter.access_log, ward_now)

        return AccessLogging(target=target, function=method_and_route)


Admin = Annotated[Staff, Depends(require_roles(Role.ADMIN))]
"""システム管理: switches, resends, releases, runs checks."""
Reader = Annotated[Staff, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]
"""監査 or システム管理: reads the delivery record and the adapter's state."""


@dataclass(frozen=True, kw_only=True)
class AdapterApp:
    """What names one adapter's API: its title and description, how to find it and its ledger."""

    title: str
    description: str
    running: RunningAdapter[Any]
    ledger: Callable[[Request], LedgerAccess]
    message_types: Sequence[str]
    tag: str
    export_touches_my_number: bool = False


def adapter_app(
    spec: AdapterApp,
    settings: ServiceSettings,
    *,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    overrides: object,
    routers: Sequence[APIRouter],
) -> FastAPI:
    """Build an adapter's API: the shared routes and middleware, then the adapter's `routers`.

    The first of `routers` is the health router (no terminal header needed); the others are
    operator routes and require `X-Jumin-Terminal`.
    """
    if not isinstance(settings, StaffTokenSettings):
        raise TypeError("an adapter's Settings include StaffTokenSettings (its operators' tokens)")
    app = service_api(
        title=spec.title, description=spec.description, settings=settings, lifespan=lifespan
    )
    app.state.overrides = overrides
    app.state.adapter = None
    app.state.token_verifier = settings.token_verifier()
    app.exception_handler(OperatorError)(_operator_error)
    app.exception_handler(OperatorRefusal)(_operator_error)
    health, *operator_routers = routers
    app.include_router(health)
    kit_routes = operator_router(spec.running.kit_operations(app.state))
    app.include_router(kit_routes, dependencies=TERMINAL_REQUIRED)
    ledger_routes = deliveries_router(
        ledger=spec.ledger,
        types=list(spec.message_types),
        tags=[spec.tag],
        export_touches_my_number=spec.export_touches_my_number,
    )
    app.include_router(ledger_routes, dependencies=TERMINAL_REQUIRED)
    for router in operator_routers:
        app.include_router(router, dependencies=TERMINAL_REQUIRED)
    spec.running.access_logging().install(app)  # inside the tracing middleware: trace ids
    instrument_fastapi(app)
    return app


async def _operator_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OperatorError | OperatorRefusal)
    return problem_response(exc.status, exc.title, exc.detail)
