"""`/sim/faults` and `/sim/reset`: the test side every simulator has, on the app's simulator."""

# No `from __future__ import annotations`: the fault model is the factory's argument, and FastAPI
# reads the routes' annotations as objects at definition time.

from typing import Any, Protocol

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from jumin_simulator.faults import Faults, FaultSettings
from jumin_simulator.state import JournaledState

__all__ = ["Controllable", "EventCountOut", "control_router"]


class Controllable(Protocol):
    """A simulator whose faults can be set and whose state can be forgotten."""

    faults: Any  # its own `Faults` model

    @property
    def state(self) -> JournaledState: ...

    def reset(self) -> None: ...


class EventCountOut(BaseModel):
    """Received (distinct keys) and attempted (every POST) messages of one event."""

    accepted: int
    attempts: int


def _simulator(request: Request) -> Controllable:
    simulator: Controllable = request.app.state.simulator
    return simulator


def control_router(
    malformed: dict[int | str, dict[str, Any]], model: type[Faults] = FaultSettings
) -> APIRouter:
    """Return the routes to read, replace and clear the fault settings (a *model*, by default
    `FaultSettings`), to count messages per event and to reset (no prefix: include it in the
    simulator's `/sim` router). *malformed* documents its 400 answer."""
    router = APIRouter()

    @router.get("/faults", summary="Current fault settings", response_model=model)
    async def get_faults(request: Request) -> Faults:
        faults: Faults = _simulator(request).faults
        return faults

    @router.put(
        "/faults", summary="Replace the fault settings", responses=malformed, response_model=model
    )
    async def put_faults(request: Request, faults: model) -> Faults:  # type: ignore[valid-type]
        _simulator(request).faults = faults
        return faults

    @router.delete("/faults", summary="Reset the fault settings (no faults)", response_model=model)
    async def delete_faults(request: Request) -> Faults:
        simulator = _simulator(request)
        simulator.faults = model()
        faults: Faults = simulator.faults
        return faults

    @router.get(
        "/received/counts",
        summary="Received (distinct keys) and attempted (every POST) messages per event id",
    )
    async def get_counts(request: Request) -> dict[str, EventCountOut]:
        counts = _simulator(request).state.counts
        return {
            str(event_id): EventCountOut(accepted=c.accepted, attempts=c.attempts)
            for event_id, c in counts.items()
        }

    @router.post("/reset", status_code=204, summary="Forget everything (tests)")
    async def reset(request: Request) -> Response:
        _simulator(request).reset()
        return Response(status_code=204)

    return router
