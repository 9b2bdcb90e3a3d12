"""`/sim/*`: the test and operator side (the real 統合宛名 has no such API)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from jumin_simulator.control import control_router
from jumin_simulator.faults import FaultSettings

from atena_simulator.entrypoints.dependencies import SimulatorDep
from atena_simulator.entrypoints.problems import atena_error_responses
from atena_simulator.entrypoints.schemas import PersonOut, ReceivedList, ReceivedOut
from atena_simulator.service_layer.handlers import hand_out_due_fugo

router = APIRouter(prefix="/sim", tags=["simulator"])

MALFORMED = atena_error_responses("E-FORMAT")
"""Validation errors: 400 E-FORMAT here too (one error format for the whole simulator)."""

router.include_router(control_router(MALFORMED, FaultSettings))


@router.get("/persons", summary="Every person in the 統合宛名, in numbering order")
async def get_persons(sim: SimulatorDep) -> list[PersonOut]:
    hand_out_due_fugo(sim)
    return [PersonOut.of(person) for person in sim.state.persons.values()]


@router.get("/received", summary="Received 宛名連携, filtered", responses=MALFORMED)
async def get_received(sim: SimulatorDep, event_id: UUID | None = None) -> ReceivedList:
    found = sim.state.received(event_id=event_id)
    return ReceivedList(items=[ReceivedOut.of(r) for r in found])
