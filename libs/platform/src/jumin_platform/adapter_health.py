"""Liveness and readiness of an adapter (cs_adapter, koseki_adapter): the same checks for each.

`/readyz` answers 503 while the adapter is starting, or when its database or broker is away
(the consumer kit not consuming, the command publisher down). The external system being away is
reported, not fatal: the kit retries what it could not send and the poller polls again. The
report also shows 手動連携 and where the notification cursor stands; an adapter adds its own
items (cs_adapter: the free-code estimate).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from jumin_platform.consumer.operations import NotRunning

__all__ = ["ReadyAdapter", "adapter_health_router"]

REACHABILITY = {None: "unknown", True: "reachable", False: "unreachable"}
"""Whether the last poll of the external system reached it."""


class _Kit(Protocol):
    @property
    def operations(self) -> object: ...  # raises NotRunning while the kit is not consuming


class _Publisher(Protocol):
    @property
    def connected(self) -> bool: ...


class _Poller(Protocol):
    @property
    def reachable(self) -> bool | None: ...


class _ManualMode(Protocol):
    async def manual_mode(self) -> bool: ...


class _Cursor(Protocol):
    async def cursor(self) -> int: ...


class _Unit(Protocol):
    @property
    def deliveries(self) -> _ManualMode: ...

    @property
    def inbound(self) -> _Cursor: ...


class ReadyAdapter(Protocol):
    """What readiness reads of a running adapter."""

    @property
    def kit(self) -> _Kit: ...

    @property
    def publisher(self) -> _Publisher: ...

    @property
    def poller(self) -> _Poller: ...

    def uow(self) -> AbstractAsyncContextManager[_Unit]: ...


def adapter_health_router(
    *,
    system: str,
    summary: str,
    extra: Callable[[Any], dict[str, Any]] | None = None,
) -> APIRouter:
    """Return `/healthz` and `/readyz` for the adapter on `app.state.adapter`.

    `system` names the external system's item in the report (`cs`, `fuhyo`); `extra(adapter)`
    adds the adapter's own items."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary=summary)
    async def readyz(request: Request) -> JSONResponse:
        """503 when the database or the broker is away; the external system is reported."""
        adapter: ReadyAdapter | None = getattr(request.app.state, "adapter", None)
        if adapter is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        report: dict[str, Any] = {"status": "ready", "broker": _broker(adapter)}
        report |= await _database(adapter)
        report[system] = REACHABILITY[adapter.poller.reachable]
        if extra is not None:
            report |= extra(adapter)
        ready = report["database"] == "ok" and report["broker"] == "ok"
        if not ready:
            report["status"] = "not ready"
        return JSONResponse(report, status_code=200 if ready else 503)

    return router


async def _database(adapter: ReadyAdapter) -> dict[str, Any]:
    try:
        async with asyncio.timeout(2), adapter.uow() as unit:
            return {
                "manual_mode": await unit.deliveries.manual_mode(),
                "notification_cursor": await unit.inbound.cursor(),
                "database": "ok",
            }
    except Exception:  # any failure to answer means not ready
        return {"database": "unreachable"}


def _broker(adapter: ReadyAdapter) -> str:
    try:
        adapter.kit.operations  # noqa: B018 - raises while the kit is not consuming
    except NotRunning:
        return "not consuming"
    return "ok" if adapter.publisher.connected else "publisher down"
