"""The operator API of a consumer: see dead and parked messages, resend or skip one.

Mount it in the adapter's small HTTP app (ports 8301–8304) next to its health endpoint:

    app.include_router(operator_router(kit))          # admin role by default

Listings show ids, sequence numbers and failure reasons only, never a payload: the dead and parked
messages carry personal data the operator does not need to decide (minimum disclosure).
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Protocol, TypeVar
from uuid import UUID

import asyncpg
from aiormq.exceptions import AMQPError, ChannelInvalidStateError
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from jumin_platform.auth import Role, Staff, require_roles
from jumin_platform.consumer.dead_letters import DeadLetter
from jumin_platform.consumer.operations import ActionResult, Operations, OperatorError
from jumin_platform.problems import PROBLEM_RESPONSES, problem_response

__all__ = ["operator_router"]

T = TypeVar("T")
Limit = Annotated[int, Query(ge=1, le=1000, description="最大件数 (at most this many)")]


class HasOperations(Protocol):
    """What the router needs from the kit (`ConsumerKit` has it once started)."""

    @property
    def operations(self) -> Operations: ...


class DeadLetterOut(BaseModel):
    """デッドレター: a message in `<recipient>.dead`."""

    event_id: UUID | None
    person_key: str | None
    seq: int | None
    routing_key: str
    reason: str = Field(description="x-death reason (rejected, delivery_limit …) or consumer")
    detail: str | None = Field(description="失敗の内容 (what failed, no personal data)")
    queue: str | None = Field(description="the queue it died in")
    died_at: datetime | None


class ParkedOut(BaseModel):
    """保留中: a message waiting for an earlier one of the same person."""

    event_id: UUID
    person_key: str
    seq: int
    routing_key: str
    reason: str = Field(description="gap (an earlier seq is missing) or blocked")
    parked_at: datetime
    failures: int = Field(
        description="適用失敗回数: unexpected failures while applied from parking (at the "
        "delivery limit the message is dead-lettered and its person blocked)"
    )


class BlockedOut(BaseModel):
    """停止中の個人: a person whose messages wait for an operator."""

    person_key: str
    last_seq: int
    blocked_event_id: UUID
    reason: str | None
    blocked_at: datetime


class ActionIn(BaseModel):
    """Why the operator acts (recorded in operator_actions)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="理由")


class ResendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500, description="理由 (任意)")


class ActionOut(BaseModel):
    event_id: UUID
    action: str
    person_key: str | None
    seq: int | None


def operator_router(
    kit: HasOperations,
    *,
    staff: Callable[..., Awaitable[Staff]] | None = None,
) -> APIRouter:
    """Build the `/operator` routes over a kit; `staff` authorises callers (admin by default)."""
    operator = staff or require_roles(Role.ADMIN)
    Operator = Annotated[Staff, Depends(operator)]
    router = APIRouter(prefix="/operator", tags=["operator"], responses=PROBLEM_RESPONSES)

    @router.get("/dead", response_model=list[DeadLetterOut])
    async def list_dead(_: Operator, limit: Limit = 100) -> list[DeadLetterOut] | JSONResponse:
        """List the dead-letter queue (messages stay in it)."""
        return await _guard(lambda: _dead(kit.operations, limit))

    @router.get("/parked", response_model=list[ParkedOut])
    async def list_parked(_: Operator, limit: Limit = 100) -> list[ParkedOut] | JSONResponse:
        """List parked messages by person and sequence."""
        return await _guard(lambda: _parked(kit.operations, limit))

    @router.get("/blocked", response_model=list[BlockedOut])
    async def list_blocked(_: Operator, limit: Limit = 100) -> list[BlockedOut] | JSONResponse:
        """List the people whose messages wait for an operator."""
        return await _guard(lambda: _blocked(kit.operations, limit))

    @router.post("/resend/{event_id}", status_code=202, response_model=ActionOut)
    async def resend(
        event_id: UUID, staff: Operator, body: ResendIn | None = None
    ) -> ActionOut | JSONResponse:
        """Return a dead letter to the main flow (through the shortest retry wait queue)."""
        reason = body.reason if body and body.reason else ""
        return await _guard(
            lambda: _action(kit.operations.resend(event_id, operator=staff.user_id, reason=reason))
        )

    @router.post("/skip/{event_id}", response_model=ActionOut)
    async def skip(event_id: UUID, body: ActionIn, staff: Operator) -> ActionOut | JSONResponse:
        """Give up on a message for good; the person's later messages are applied."""
        return await _guard(
            lambda: _action(
                kit.operations.skip(event_id, operator=staff.user_id, reason=body.reason)
            )
        )

    return router


async def _dead(operations: Operations, limit: int) -> list[DeadLetterOut]:
    return [_dead_out(letter) for letter in await operations.dead_letters(limit)]


async def _parked(operations: Operations, limit: int) -> list[ParkedOut]:
    return [ParkedOut(**vars(p)) for p in await operations.parked(limit)]


async def _blocked(operations: Operations, limit: int) -> list[BlockedOut]:
    return [BlockedOut(**vars(b)) for b in await operations.blocked(limit)]


def _dead_out(letter: DeadLetter) -> DeadLetterOut:
    return DeadLetterOut(
        event_id=letter.event_id,
        person_key=letter.person_key,
        seq=letter.seq,
        routing_key=letter.routing_key,
        reason=letter.reason,
        detail=letter.detail,
        queue=letter.queue,
        died_at=letter.died_at,
    )


async def _action(pending: Awaitable[ActionResult]) -> ActionOut:
    return ActionOut(**vars(await pending))


async def _guard(call: Callable[[], Awaitable[T]]) -> T | JSONResponse:
    """Answer operator and broker failures as problem+json."""
    try:
        return await call()
    except OperatorError as exc:
        return problem_response(exc.status, exc.title, exc.detail)
    except _OUTAGES:
        return problem_response(503, "Service Unavailable", _UNAVAILABLE)


#: Broker or database unreachable, restarting or out of connections: worth trying again later.
_OUTAGES = (
    AMQPError,
    ChannelInvalidStateError,
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
)
_UNAVAILABLE = (
    "メッセージブローカーまたはデータベースに接続できません。しばらくしてから再度実行してください。 "
    "(The message broker or the database is unreachable; try again shortly.)"
)
