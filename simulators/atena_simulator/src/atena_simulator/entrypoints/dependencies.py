"""Request dependencies: the simulator held by the app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atena_simulator.service_layer.simulator import Simulator


def get_simulator(request: Request) -> Simulator:
    """Return the app's simulator."""
    simulator: Simulator = request.app.state.simulator
    return simulator


SimulatorDep = Annotated[Simulator, Depends(get_simulator)]
