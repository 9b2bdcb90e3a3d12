"""`/sim/*` and `/healthz`: the test and operator side (the real CS has no such API)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from jumin_simulator.control import control_router
from jumin_simulator.feed import QueuedNotice

from cs_simulator.domain.messages import MessageType, MoveInNotice
from cs_simulator.entrypoints.dependencies import SimulatorDep
from cs_simulator.entrypoints.problems import cs_error_responses
from cs_simulator.entrypoints.schemas import TransmissionList, TransmissionOut
from cs_simulator.service_layer.handlers import queue_move_in_notice

router = APIRouter(prefix="/sim", tags=["simulator"])


MALFORMED = cs_error_responses("E-FORMAT")
"""Validation errors: 400 E-FORMAT here too (one error format for the whole simulator)."""

router.include_router(control_router(MALFORMED))


@router.get("/received", summary="Stored transmissions, filtered", responses=MALFORMED)
async def get_received(
    sim: SimulatorDep,
    type_: Annotated[MessageType | None, Query(alias="type")] = None,
    event_id: UUID | None = None,
    juminhyo_code: str | None = None,
) -> TransmissionList:
    found = sim.state.received(type_=type_, event_id=event_id, juminhyo_code=juminhyo_code)
    return TransmissionList(items=[TransmissionOut.of(t) for t in found])


@router.post(
    "/move-in-notices",
    status_code=201,
    summary="Queue a 転入通知 from elsewhere",
    responses=MALFORMED,
)
async def post_move_in_notice(sim: SimulatorDep, notice: MoveInNotice) -> QueuedNotice:
    return QueuedNotice.of(queue_move_in_notice(sim=sim, notice=notice))
