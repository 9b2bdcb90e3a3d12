"""`/sim/*`: the test and operator side (the real 戸籍附票システム has no such API)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query
from jumin_simulator.control import control_router
from jumin_simulator.feed import QueuedNotice

from koseki_simulator.domain.notices import (
    CollationNoticeIn,
    HonsekiTransferNoticeIn,
    KosekiEvent,
    KosekiIn,
)
from koseki_simulator.entrypoints.dependencies import SimulatorDep
from koseki_simulator.entrypoints.problems import koseki_error_responses
from koseki_simulator.entrypoints.schemas import (
    KosekiList,
    KosekiOut,
    QueuedNotices,
    ReceivedList,
    ReceivedOut,
)
from koseki_simulator.service_layer.handlers import (
    apply_event,
    queue_collation_notice,
    queue_honseki_transfer_notice,
    seed_koseki,
)

router = APIRouter(prefix="/sim", tags=["simulator"])

MALFORMED = koseki_error_responses("E-FORMAT")
"""Validation errors: 400 E-FORMAT here too (one error format for the whole simulator)."""

router.include_router(control_router(MALFORMED))


@router.put(
    "/koseki",
    summary="Seed a 戸籍 and its 附票 (replaces the same 本籍・筆頭者)",
    responses=MALFORMED,
)
async def put_koseki(sim: SimulatorDep, koseki: KosekiIn) -> KosekiOut:
    return KosekiOut.of(seed_koseki(sim=sim, seeded=koseki))


@router.get("/koseki", summary="Held 戸籍, filtered by 本籍", responses=MALFORMED)
async def get_koseki(sim: SimulatorDep, honseki: str | None = None) -> KosekiList:
    held = [k for k in sim.state.koseki.values() if honseki is None or k.honseki == honseki]
    return KosekiList(items=[KosekiOut.of(k) for k in held])


@router.post(
    "/koseki-events",
    status_code=201,
    summary="Apply a 戸籍 event and send its 住民票記載事項通知 (住基法9条2項)",
    responses=koseki_error_responses(
        "E-FORMAT", "E-KOSEKI-EXISTS", "E-KOSEKI-UNKNOWN", "E-PERSON-UNKNOWN"
    ),
)
async def post_koseki_event(
    sim: SimulatorDep, event: Annotated[KosekiEvent, Body()]
) -> QueuedNotices:
    return QueuedNotices(items=[QueuedNotice.of(n) for n in apply_event(sim=sim, event=event)])


@router.post(
    "/collation-notices",
    status_code=201,
    summary="Queue a 戸籍照合通知 (住基法19条2項)",
    responses=MALFORMED,
)
async def post_collation_notice(sim: SimulatorDep, notice: CollationNoticeIn) -> QueuedNotice:
    return QueuedNotice.of(queue_collation_notice(sim=sim, notice=notice))


@router.post(
    "/honseki-transfer-notices",
    status_code=201,
    summary="Queue a 本籍転属通知 (住基法19条3項)",
    responses=MALFORMED,
)
async def post_honseki_transfer_notice(
    sim: SimulatorDep, notice: HonsekiTransferNoticeIn
) -> QueuedNotice:
    return QueuedNotice.of(queue_honseki_transfer_notice(sim=sim, notice=notice))


@router.get("/received", summary="Received notices, filtered", responses=MALFORMED)
async def get_received(
    sim: SimulatorDep,
    event_id: UUID | None = None,
    juminhyo_code: Annotated[str | None, Query(max_length=11)] = None,
) -> ReceivedList:
    found = sim.state.received(event_id=event_id, juminhyo_code=juminhyo_code)
    return ReceivedList(items=[ReceivedOut.of(a) for a in found])
