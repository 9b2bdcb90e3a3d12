"""`/koseki/v1/*`: what the ward's koseki_adapter talks to (通知, 通知の取得, 附票の一覧)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from jumin_simulator.feed import add_notifications_route
from jumin_simulator.idempotency import IdempotencyKey

from koseki_simulator.domain.errors import MISMATCH_CODES, mismatch
from koseki_simulator.entrypoints.dependencies import SimulatorDep
from koseki_simulator.entrypoints.problems import koseki_error_responses
from koseki_simulator.entrypoints.schemas import FuhyoOut, FuhyoPage, NoticeReceipt
from koseki_simulator.service_layer.handlers import receive_notice

router = APIRouter(
    prefix="/koseki/v1", tags=["koseki"], responses=koseki_error_responses("E-BUSY", "E-DOWN")
)

_NOTICE_DOC = """附票記載事項通知 (住基法19条1項) of one person. 201 accepted (照合一致; written onto
the 附票), 200 a replay of the stored answer. 422 with a mismatch code: the notice was received
but disagrees with the 戸籍 (照合不一致; permanent for this person; the 附票 is unchanged; a replay
gets the same answer). Other refusals: 400 E-FORMAT, 409 E-KEY-REUSED, 422 E-REJECTED (permanent),
503 E-BUSY / E-DOWN (transient)."""


@router.post(
    "/notices",
    status_code=201,
    summary="Send a 附票記載事項通知",
    description=_NOTICE_DOC,
    responses={
        200: {"model": NoticeReceipt, "description": "再送: the stored answer (same key, notice)"},
        **koseki_error_responses("E-FORMAT", "E-KEY-REUSED", "E-REJECTED", *MISMATCH_CODES),
    },
)
async def post_notice(
    sim: SimulatorDep,
    idempotency_key: IdempotencyKey,
    payload: Annotated[Any, Body(description="event_id, municipality_code, sent_at, body")],
    response: Response,
) -> NoticeReceipt:
    receipt = receive_notice(sim=sim, key=idempotency_key, payload=payload)
    answer = receipt.answer
    if not answer.accepted:
        raise mismatch(answer.mismatches, receipt_no=answer.receipt_no, replayed=receipt.replayed)
    if receipt.replayed:
        response.status_code = 200
    return NoticeReceipt.of(receipt)


add_notifications_route(
    router,
    summary="Fetch notices after a cursor (住民票記載事項通知, 戸籍照合通知, 本籍転属通知)",
    responses=koseki_error_responses("E-FORMAT"),
)


@router.get(
    "/fuhyo",
    summary="附票 held, one per 住民票コード (整合性確認)",
    responses=koseki_error_responses("E-FORMAT"),
)
async def get_fuhyo(
    sim: SimulatorDep,
    after: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{11}$", description="last 住民票コード of the page before"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> FuhyoPage:
    items, next_code = sim.state.fuhyo_after(after, limit)
    return FuhyoPage(items=[FuhyoOut.of(k, m) for k, m in items], next=next_code)
