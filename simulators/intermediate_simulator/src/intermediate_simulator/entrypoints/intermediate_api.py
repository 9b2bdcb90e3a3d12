"""`/intermediate/v1/*`: what the ward's intermediate_server talks to (副本; 情報提供等記録)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from jumin_simulator.feed import PageLimit
from jumin_simulator.formats import FUGO_PATTERN
from jumin_simulator.idempotency import IdempotencyKey

from intermediate_simulator.domain.data_items import DataItemCode
from intermediate_simulator.entrypoints.dependencies import SimulatorDep
from intermediate_simulator.entrypoints.problems import intermediate_error_responses
from intermediate_simulator.entrypoints.schemas import CopyOut, CopyPage, CopyReceipt, RecordPage
from intermediate_simulator.service_layer.handlers import receive_operation

router = APIRouter(
    prefix="/intermediate/v1",
    tags=["intermediate"],
    responses=intermediate_error_responses("E-BUSY", "E-DOWN"),
)

FugoQuery = Annotated[str, Query(pattern=FUGO_PATTERN, description="符号")]

Position = Annotated[int, Query(ge=0, description="items read so far (the last page's `next`)")]
"""`after` on the lists paged by position (副本, 情報提供等記録)."""

_COPY_DOC = """副本の登録・更新・削除 of one person's data item (`operation`: register, update,
delete), in the register's order (`as_of`). 201 stored (the 副本's new version), 200 a replay of the
stored answer. Refusals: 400 E-FORMAT, 409 E-KEY-REUSED, 409 E-ALREADY-REGISTERED /
E-NOT-REGISTERED / E-OUT-OF-ORDER, 422 E-REJECTED (permanent), 503 E-BUSY / E-DOWN (transient)."""


@router.post(
    "/copies",
    status_code=201,
    summary="Register, update or delete a 副本",
    description=_COPY_DOC,
    responses={
        200: {"model": CopyReceipt, "description": "再送: the stored answer (same key, body)"},
        **intermediate_error_responses(
            "E-FORMAT",
            "E-KEY-REUSED",
            "E-ALREADY-REGISTERED",
            "E-NOT-REGISTERED",
            "E-OUT-OF-ORDER",
            "E-REJECTED",
        ),
    },
)
async def post_copy(
    sim: SimulatorDep,
    idempotency_key: IdempotencyKey,
    payload: Annotated[Any, Body(description="event_id, municipality_code, sent_at, body")],
    response: Response,
) -> CopyReceipt:
    acknowledgement = receive_operation(sim=sim, key=idempotency_key, payload=payload)
    if acknowledgement.replayed:
        response.status_code = 200
    return CopyReceipt.of(acknowledgement)


@router.get(
    "/copies",
    summary="副本 as they stand, in pages (all, or one 符号's): for the ward's 整合性確認",
    responses=intermediate_error_responses("E-FORMAT"),
)
async def get_copies(
    sim: SimulatorDep,
    fugo: Annotated[str | None, Query(pattern=FUGO_PATTERN, description="符号")] = None,
    data_item: DataItemCode | None = None,
    after: Position = 0,
    limit: PageLimit = 100,
) -> CopyPage:
    copies = [
        c for c in sim.state.current_copies(fugo) if data_item is None or c.data_item == data_item
    ]
    page = copies[after : after + limit]
    return CopyPage(items=[CopyOut.of(c) for c in page], next=after + len(page))


@router.get(
    "/provision-records",
    summary="情報提供等記録 of one 符号 (who asked for what, when, on which basis)",
    responses=intermediate_error_responses("E-FORMAT"),
)
async def get_provision_records(
    sim: SimulatorDep,
    fugo: FugoQuery,
    after: Position = 0,
    limit: PageLimit = 100,
) -> RecordPage:
    page = sim.state.records_of(fugo)[after : after + limit]
    return RecordPage(items=page, next=after + len(page))
