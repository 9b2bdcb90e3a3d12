"""`/moj/v1/*`: what the ward's moj_notify talks to (市町村通知・市町村伝達; results, 長官通知)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from jumin_simulator.feed import add_notifications_route
from jumin_simulator.idempotency import IdempotencyKey

from moj_simulator.entrypoints.dependencies import SimulatorDep
from moj_simulator.entrypoints.problems import moj_error_responses
from moj_simulator.entrypoints.schemas import NoticeReceipt
from moj_simulator.service_layer.handlers import issue_due_results, receive_notice

router = APIRouter(
    prefix="/moj/v1", tags=["moj"], responses=moj_error_responses("E-BUSY", "E-DOWN")
)

_NOTICE_DOC = """市町村通知 (入管法61条の8の2) or 市町村伝達 (入管令2条) of one person. 201 received
(its processing result follows on the feed once due), 200 a replay of the stored receipt.
Refusals: 400 E-FORMAT, 409 E-KEY-REUSED, 422 E-NOT-NOTIFIABLE, 422 E-REJECTED (permanent),
503 E-BUSY / E-DOWN (transient)."""


@router.post(
    "/notices",
    status_code=201,
    summary="Send a 市町村通知 or 市町村伝達",
    description=_NOTICE_DOC,
    responses={
        200: {"model": NoticeReceipt, "description": "再送: the stored receipt (same key, notice)"},
        **moj_error_responses("E-FORMAT", "E-KEY-REUSED", "E-NOT-NOTIFIABLE", "E-REJECTED"),
    },
)
async def post_notice(
    sim: SimulatorDep,
    idempotency_key: IdempotencyKey,
    payload: Annotated[Any, Body(description="event_id, municipality_code, sent_at, type, body")],
    response: Response,
) -> NoticeReceipt:
    acknowledgement = receive_notice(sim=sim, key=idempotency_key, payload=payload)
    if acknowledgement.replayed:
        response.status_code = 200
    return NoticeReceipt.of(acknowledgement)


add_notifications_route(
    router,
    summary="Fetch notices after a cursor (処理結果, 長官通知)",
    responses=moj_error_responses("E-FORMAT"),
    before=issue_due_results,
)
