"""`/atena/v1/*`: what the ward's intermediate_server talks to (宛名連携; 符号 by cursor or lookup)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from jumin_simulator.errors import format_error
from jumin_simulator.feed import add_notifications_route
from jumin_simulator.idempotency import IdempotencyKey
from jumin_simulator.validation import field_error

from atena_simulator.domain.messages import JUKI, SystemCode
from atena_simulator.entrypoints.dependencies import SimulatorDep
from atena_simulator.entrypoints.problems import atena_error_responses
from atena_simulator.entrypoints.schemas import FugoOut, PersonReceipt
from atena_simulator.service_layer.handlers import hand_out_due_fugo, look_up, receive_person

router = APIRouter(
    prefix="/atena/v1", tags=["atena"], responses=atena_error_responses("E-BUSY", "E-DOWN")
)

_PERSON_DOC = """宛名連携 of one person from a 業務システム (the registry: `system` = `juki`). 201
received: the person's 団体内統合宛名番号 (a new one on first sight, the same one after) and where
the 符号 stands; the 符号 follows on the feed once it is back. 200: a replay of the stored answer.
Refusals: 400 E-FORMAT, 409 E-KEY-REUSED, 422 E-REJECTED (permanent), 503 E-BUSY / E-DOWN
(transient)."""


@router.post(
    "/persons",
    status_code=201,
    summary="Send a person's 宛名情報 (宛名連携)",
    description=_PERSON_DOC,
    responses={
        200: {"model": PersonReceipt, "description": "再送: the stored answer (same key, body)"},
        **atena_error_responses("E-FORMAT", "E-KEY-REUSED", "E-REJECTED"),
    },
)
async def post_person(
    sim: SimulatorDep,
    idempotency_key: IdempotencyKey,
    payload: Annotated[Any, Body(description="event_id, municipality_code, sent_at, body")],
    response: Response,
) -> PersonReceipt:
    acknowledgement = receive_person(sim=sim, key=idempotency_key, payload=payload)
    if acknowledgement.replayed:
        response.status_code = 200
    return PersonReceipt.of(acknowledgement)


@router.get(
    "/persons",
    summary="A person's 団体内統合宛名番号 and 符号 (by that number, or by a system's 宛名番号)",
    description="Give `integrated_atena_no`, or `atena_no` (and `system`, default `juki`).",
    responses=atena_error_responses("E-FORMAT", "E-NOT-FOUND"),
)
async def get_person(
    sim: SimulatorDep,
    integrated_atena_no: Annotated[str | None, Query(pattern=r"^[0-9]{15}$")] = None,
    system: Annotated[SystemCode, Query()] = JUKI,
    atena_no: Annotated[str | None, Query(pattern=r"^[0-9]{10}$")] = None,
) -> FugoOut:
    if (integrated_atena_no is None) == (atena_no is None):
        raise format_error([field_error(("query",), "one_of", _ONE_OF)])
    person = look_up(sim=sim, integrated_no=integrated_atena_no, system=system, atena_no=atena_no)
    return FugoOut.of(person)


_ONE_OF = "integrated_atena_no か atena_no のどちらか一方 / exactly one of the two"


add_notifications_route(
    router,
    summary="Fetch notices after a cursor (符号 that came back)",
    responses=atena_error_responses("E-FORMAT"),
    before=hand_out_due_fugo,
)
