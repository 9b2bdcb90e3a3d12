"""`/cs/v1/*`: what the ward's cs_adapter talks to (送信, 応答の取得, 空きコード, 本人確認情報)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from jumin_simulator.feed import add_notifications_route
from jumin_simulator.idempotency import IdempotencyKey

from cs_simulator.domain.messages import FreeCodeRequest
from cs_simulator.entrypoints.dependencies import SimulatorDep
from cs_simulator.entrypoints.problems import cs_error_responses
from cs_simulator.entrypoints.schemas import (
    FreeCodeBatchOut,
    IdentityOut,
    IdentityPage,
    MessageReceipt,
)
from cs_simulator.service_layer.handlers import free_code_batch, receive_message

router = APIRouter(prefix="/cs/v1", tags=["cs"], responses=cs_error_responses("E-BUSY", "E-DOWN"))

_MESSAGE_DOC = """送信: one transmission. 201 first receipt, 200 a replay of the stored reply.
Refusals carry `code`: 400 E-FORMAT, 409 E-KEY-REUSED, 422 E-REJECTED (permanent), 503 E-BUSY /
E-DOWN (transient)."""


@router.post(
    "/messages",
    status_code=201,
    summary="Send a message",
    description=_MESSAGE_DOC,
    responses={
        200: {
            "model": MessageReceipt,
            "description": "再送: the stored reply (same key, same message)",
        },
        **cs_error_responses("E-FORMAT", "E-KEY-REUSED", "E-REJECTED"),
    },
)
async def post_message(
    sim: SimulatorDep,
    idempotency_key: IdempotencyKey,
    payload: Annotated[Any, Body(description="type, event_id, municipality_code, sent_at, body")],
    response: Response,
) -> MessageReceipt:
    receipt = receive_message(sim=sim, key=idempotency_key, payload=payload)
    if receipt.replayed:
        response.status_code = 200
    return MessageReceipt.of(receipt)


add_notifications_route(
    router,
    summary="Fetch answers after a cursor (個人番号, 転入通知)",
    responses=cs_error_responses("E-FORMAT"),
)


@router.post(
    "/free-codes",
    status_code=201,
    summary="Receive a batch of free 住民票コード",
    responses={
        200: {
            "model": FreeCodeBatchOut,
            "description": "再送: the same batch (same key, same count)",
        },
        **cs_error_responses("E-FORMAT", "E-KEY-REUSED"),
    },
)
async def post_free_codes(
    sim: SimulatorDep,
    idempotency_key: IdempotencyKey,
    request: FreeCodeRequest,
    response: Response,
) -> FreeCodeBatchOut:
    batch, replayed = free_code_batch(sim=sim, key=idempotency_key, request=request)
    if replayed:
        response.status_code = 200
    return FreeCodeBatchOut.of(batch)


@router.get(
    "/identities",
    summary="本人確認情報 CS holds, one per 住民票コード (整合性確認)",
    responses=cs_error_responses("E-FORMAT"),
)
async def get_identities(
    sim: SimulatorDep,
    after: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{11}$", description="last 住民票コード of the page before"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> IdentityPage:
    items, next_code = sim.state.identities_after(after, limit)
    return IdentityPage(items=[IdentityOut.of(t) for t in items], next=next_code)
