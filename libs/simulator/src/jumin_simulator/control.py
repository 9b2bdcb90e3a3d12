"""`/sim/faults` and `/sim/reset`: the test side every simulator has, on the app's simulator."""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import APIRouter, Request, Response

from jumin_simulator.faults import FaultSettings

__all__ = ["Controllable", "control_router"]


class Controllable(Protocol):
    """A simulator whose faults can be set and whose state can be forgotten."""

    faults: FaultSettings

    def reset(self) -> None: ...


def _simulator(request: Request) -> Controllable:
    simulator: Controllable = request.app.state.simulator
    return simulator


def control_router(malformed: dict[int | str, dict[str, Any]]) -> APIRouter:
    """Return the routes to read, replace and clear the fault settings and to reset (no prefix:
    include it in the simulator's `/sim` router). *malformed* documents its 400 answer."""
    router = APIRouter()

    @router.get("/faults", summary="Current fault settings")
    async def get_faults(request: Request) -> FaultSettings:
        return _simulator(request).faults

    @router.put("/faults", summary="Replace the fault settings", responses=malformed)
    async def put_faults(request: Request, faults: FaultSettings) -> FaultSettings:
        _simulator(request).faults = faults
        return faults

    @router.delete("/faults", summary="Reset the fault settings (no faults)")
    async def delete_faults(request: Request) -> FaultSettings:
        simulator = _simulator(request)
        simulator.faults = FaultSettings()
        return simulator.faults

    @router.post("/reset", status_code=204, summary="Forget everything (tests)")
    async def reset(request: Request) -> Response:
        _simulator(request).reset()
        return Response(status_code=204)

    return router
