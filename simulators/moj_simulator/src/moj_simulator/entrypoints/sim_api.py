"""`/sim/*`: the test and operator side (the real ministry has no such API)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from jumin_simulator.control import control_router
from jumin_simulator.feed import QueuedNotice

from moj_simulator.domain.director import DirectorNoticeIn
from moj_simulator.domain.faults import MojFaults
from moj_simulator.domain.formats import CardNo
from moj_simulator.domain.records import Resident
from moj_simulator.domain.results import ResultIn
from moj_simulator.entrypoints.dependencies import SimulatorDep
from moj_simulator.entrypoints.problems import moj_error_responses
from moj_simulator.entrypoints.schemas import ReceivedList, ReceivedOut
from moj_simulator.service_layer.handlers import (
    inject_result,
    issue_due_results,
    queue_director_notice,
    seed_resident,
)

router = APIRouter(prefix="/sim", tags=["simulator"])

MALFORMED = moj_error_responses("E-FORMAT")
"""Validation errors: 400 E-FORMAT here too (one error format for the whole simulator)."""

router.include_router(control_router(MALFORMED, MojFaults))


@router.put(
    "/residents",
    summary="Seed a foreign resident in the ministry's record (replaces the same number)",
    responses=MALFORMED,
)
async def put_resident(sim: SimulatorDep, resident: Resident) -> Resident:
    return seed_resident(sim=sim, resident=resident)


@router.get("/residents", summary="The ministry's record of foreign residents")
async def get_residents(sim: SimulatorDep) -> list[Resident]:
    return list(sim.state.residents.values())


@router.post(
    "/results",
    status_code=201,
    summary="Queue a processing result (処理結果) by hand",
    responses=MALFORMED,
)
async def post_result(sim: SimulatorDep, result: ResultIn) -> QueuedNotice:
    return QueuedNotice.of(inject_result(sim=sim, result=result))


@router.post(
    "/director-notices",
    status_code=201,
    summary="Queue a 長官通知 (住基法30条の50) and change the ministry's record",
    responses=MALFORMED,
)
async def post_director_notice(sim: SimulatorDep, notice: DirectorNoticeIn) -> QueuedNotice:
    return QueuedNotice.of(queue_director_notice(sim=sim, notice=notice))


@router.get("/received", summary="Received notices, filtered", responses=MALFORMED)
async def get_received(
    sim: SimulatorDep,
    event_id: UUID | None = None,
    card_no: Annotated[CardNo | None, Query(max_length=12)] = None,
) -> ReceivedList:
    issue_due_results(sim)
    found = sim.state.received(event_id=event_id, card_no=card_no)
    results = sim.state.results
    return ReceivedList(items=[ReceivedOut.of(r, results.get(r.receipt_no)) for r in found])
