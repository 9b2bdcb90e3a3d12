"""Liveness and readiness: DB, broker, CS, 手動連携, free-code estimate, cursor."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from jumin_platform.consumer.operations import NotRunning

from cs_adapter.bootstrap import CsAdapter

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: database and broker (CS, 手動連携, free codes and cursor are reported)",
)
async def readyz(request: Request) -> JSONResponse:
    """503 when the database or the broker is away; CS being away is reported, not fatal."""
    adapter: CsAdapter | None = getattr(request.app.state, "adapter", None)
    if adapter is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    report: dict[str, Any] = {"status": "ready", "broker": _broker(adapter)}
    try:
        async with asyncio.timeout(2), adapter.uow() as unit:
            report["manual_mode"] = await unit.deliveries.manual_mode()
            report["notification_cursor"] = await unit.inbound.cursor()
        report["database"] = "ok"
    except Exception:  # any failure to answer means not ready
        report["database"] = "unreachable"
    report["cs"] = {None: "unknown", True: "reachable", False: "unreachable"}[
        adapter.poller.reachable
    ]
    supply = adapter.supply
    report["free_codes"] = {
        "estimate": supply.estimate,
        "low_water": supply.low_water,
        "low": supply.low,
    }
    ready = report["database"] == "ok" and report["broker"] == "ok"
    if not ready:
        report["status"] = "not ready"
    return JSONResponse(report, status_code=200 if ready else 503)


def _broker(adapter: CsAdapter) -> str:
    try:
        adapter.kit.operations  # noqa: B018 - raises while the kit is not consuming
    except NotRunning:
        return "not consuming"
    return "ok" if adapter.publisher.connected else "publisher down"
