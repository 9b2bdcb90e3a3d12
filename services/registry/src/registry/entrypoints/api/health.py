"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from jumin_platform.problems import problem_response

from registry.entrypoints.api.dependencies import RegistryDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: the database answers")
async def readyz(registry: RegistryDep) -> JSONResponse:
    try:
        async with asyncio.timeout(2):
            await registry.pool.fetchval("SELECT 1")
    except Exception:  # any failure to answer means not ready
        return problem_response(
            503, "Not ready", "データベースに接続できません / database unreachable"
        )
    return JSONResponse({"status": "ready"})
