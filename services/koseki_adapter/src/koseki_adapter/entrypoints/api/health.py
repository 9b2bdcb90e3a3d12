"""Liveness and readiness: database and broker (手動連携, the 戸籍附票システム and the notice cursor
are reported)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from jumin_platform.consumer.operations import NotRunning

from koseki_adapter.bootstrap import KosekiAdapter

router = APIRouter(tags=["health"])

REACHABILITY = {None: "unknown", True: "reachable", False: "unreachable"}
"""Whether the last poll of the 戸籍附票システム reached it."""


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: database and broker (the 戸籍附票システム and the cursor are reported)",
)
async def readyz(request: Request) -> JSONResponse:
    """503 when the database or the broker is away; the 戸籍附票システム being away is reported."""
    adapter: KosekiAdapter | None = getattr(request.app.state, "adapter", None)
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
    report["fuhyo"] = REACHABILITY[adapter.poller.reachable]
    ready = report["database"] == "ok" and report["broker"] == "ok"
    if not ready:
        report["status"] = "not ready"
    return JSONResponse(report, status_code=200 if ready else 503)


def _broker(adapter: KosekiAdapter) -> str:
    try:
        adapter.kit.operations  # noqa: B018 - raises while the kit is not consuming
    except NotRunning:
        return "not consuming"
    return "ok" if adapter.publisher.connected else "publisher down"
