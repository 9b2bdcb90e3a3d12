"""The witness's HTTP API: read the checkpoints it keeps; nothing can be written through it.

Checkpoints are published commitments (a log's name, a row number, a hash, a time and a
signature): they hold no personal data and are worth something only because their signature
verifies, so reading them needs no staff token — like a transparency log's signed tree heads.
The only way in is the broker (`witness.checkpoint`), and only signed checkpoints are kept.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from jumin_platform import telemetry
from jumin_platform.checkpoint_signing import SignedCheckpoint
from jumin_platform.problems import PROBLEM_RESPONSES, problem_response
from jumin_platform.service_api import service_api
from pydantic import BaseModel

from audit_witness.adapters.checkpoint_store import CheckpointStore
from audit_witness.bootstrap import Witness, witness_lifespan
from audit_witness.config import Settings

LOG_PATTERN = r"^[a-z][a-z0-9_]*\.access_log$"
LogName = Annotated[
    str,
    Query(pattern=LOG_PATTERN, max_length=80, description="the log, e.g. `registry.access_log`"),
]


class KeptCheckpoint(BaseModel):
    """A checkpoint as the witness keeps it (保管されたチェックポイント)."""

    checkpoint: SignedCheckpoint
    received_at: datetime


router = APIRouter(
    tags=["checkpoints"], responses={k: PROBLEM_RESPONSES[k] for k in (400, 404, 422)}
)
health = APIRouter(tags=["health"])


def _witness(request: Request) -> Witness:
    witness: Witness = request.app.state.witness
    return witness


@router.get(
    "/checkpoints/latest",
    summary="最新のチェックポイント (the log's checkpoint with the highest row number)",
    response_model=KeptCheckpoint,
)
async def latest(request: Request, log: LogName) -> KeptCheckpoint | JSONResponse:
    """Return the latest checkpoint of a log; 404 while none is kept."""
    async with _witness(request).pool.acquire() as connection:
        found = await CheckpointStore(connection).latest(log)
    if found is None:
        return problem_response(
            404,
            "Not Found",
            "このログのチェックポイントはまだありません。 (No checkpoint of this log is kept yet.)",
        )
    checkpoint, received_at = found
    return KeptCheckpoint(checkpoint=checkpoint, received_at=received_at)


@router.get(
    "/checkpoints",
    summary="チェックポイントの一覧 (a log's checkpoints, newest first)",
    response_model=list[KeptCheckpoint],
)
async def recent(
    request: Request,
    log: LogName,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many")] = 100,
) -> list[KeptCheckpoint]:
    """Return a log's last checkpoints in the order they arrived, newest first."""
    async with _witness(request).pool.acquire() as connection:
        found = await CheckpointStore(connection).recent(log, limit)
    return [KeptCheckpoint(checkpoint=c, received_at=r) for c, r in found]


@health.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health.get("/readyz", summary="Readiness: the database answers and the queue is consumed")
async def readyz(request: Request) -> JSONResponse:
    witness: Witness | None = getattr(request.app.state, "witness", None)
    if witness is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    try:
        async with asyncio.timeout(2), witness.pool.acquire() as connection:
            await connection.fetchval("SELECT 1")
        database = "ok"
    except Exception:  # any failure to answer means not ready
        database = "unreachable"
    broker = "ok" if witness.consumer.consuming.is_set() else "unreachable"
    ready = database == "ok" and broker == "ok"
    body = {"status": "ready" if ready else "not ready", "database": database, "broker": broker}
    return JSONResponse(body, status_code=200 if ready else 503)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the witness's API; its lifespan opens the pool and runs the consumer."""
    app = service_api(
        title="Jumin audit witness (監査証跡の立会人)",
        description="Keeps the services' signed access-log checkpoints append-only and serves them.",
        settings=settings or Settings(),
        lifespan=witness_lifespan,
    )
    app.include_router(health)
    app.include_router(router)
    telemetry.instrument_fastapi(app)
    return app
