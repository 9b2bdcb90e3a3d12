"""`/sim/*`: the test and operator side — other bodies' 情報照会, the legal-basis table (the real
中間サーバー has no such API)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from jumin_simulator.control import control_router
from jumin_simulator.formats import FUGO_PATTERN

from intermediate_simulator.domain.faults import IntermediateFaults
from intermediate_simulator.domain.inquiries import InquiryIn
from intermediate_simulator.domain.legal_bases import LegalBasis
from intermediate_simulator.entrypoints.dependencies import SimulatorDep
from intermediate_simulator.entrypoints.problems import intermediate_error_responses
from intermediate_simulator.entrypoints.schemas import AnswerOut, ReceivedList, ReceivedOut
from intermediate_simulator.service_layer.handlers import answer_inquiry, keep_legal_basis

router = APIRouter(prefix="/sim", tags=["simulator"])

MALFORMED = intermediate_error_responses("E-FORMAT")
"""Validation errors: 400 E-FORMAT here too (one error format for the whole simulator)."""

router.include_router(control_router(MALFORMED, IntermediateFaults))

_INQUIRY_DOC = """Play another body: an 情報照会 (符号 + 情報提供の根拠) through the 情報提供ネットワーク
システム. Always answered and recorded as an 情報提供等記録: `provided` (the 副本), `no_data`, or
`refused` (`R-NO-LEGAL-BASIS`: not in the table; `R-ITEM-NOT-COVERED`: the basis does not cover the
data item)."""


@router.post(
    "/inquiries",
    summary="情報照会 from another body",
    description=_INQUIRY_DOC,
    responses=MALFORMED,
)
async def post_inquiry(sim: SimulatorDep, inquiry: InquiryIn) -> AnswerOut:
    return AnswerOut.of(answer_inquiry(sim=sim, inquiry=inquiry))


@router.get("/legal-bases", summary="The table of 情報提供の根拠")
async def get_legal_bases(sim: SimulatorDep) -> list[LegalBasis]:
    return list(sim.state.legal_bases.values())


@router.put(
    "/legal-bases",
    summary="Add or replace an entry of the table of 情報提供の根拠 (by basis_id)",
    responses=MALFORMED,
)
async def put_legal_basis(sim: SimulatorDep, basis: LegalBasis) -> LegalBasis:
    return keep_legal_basis(sim=sim, basis=basis)


@router.get("/received", summary="Received 副本 operations, filtered", responses=MALFORMED)
async def get_received(
    sim: SimulatorDep,
    event_id: UUID | None = None,
    fugo: Annotated[str | None, Query(pattern=FUGO_PATTERN)] = None,
) -> ReceivedList:
    found = sim.state.received(event_id=event_id, fugo=fugo)
    return ReceivedList(items=[ReceivedOut.of(r) for r in found])
