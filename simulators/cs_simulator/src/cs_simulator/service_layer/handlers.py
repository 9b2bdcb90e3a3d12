"""Use cases of the simulated CS: receive a transmission, answer later, hand out free codes."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from jumin_platform.telemetry import context_from, current_traceparent
from jumin_simulator.faults import rejects
from jumin_simulator.idempotency import replay_of
from opentelemetry import trace

from cs_simulator.domain.errors import rejected
from cs_simulator.domain.messages import (
    FreeCodeRequest,
    MoveInNotice,
    MyNumberGenerated,
    MyNumberRequestBody,
)
from cs_simulator.domain.state import FreeCodeBatch, Notification, Transmission
from cs_simulator.domain.validation import parse_message
from cs_simulator.service_layer.simulator import Simulator, now_jst

tracer = trace.get_tracer("cs_simulator")


@dataclass(frozen=True)
class Receipt:
    """What the sender gets back: the stored transmission and whether this was a replay."""

    transmission: Transmission
    replayed: bool


def receive_message(*, sim: Simulator, key: UUID, payload: Any) -> Receipt:
    """Accept a transmission once per key; a resend gets the stored reply (nothing stored twice).

    Raises CsError: E-FORMAT (bad items), E-KEY-REUSED (same key, other message), E-REJECTED.
    """
    envelope, body = parse_message(payload, municipality_code=sim.municipality_code)
    stored = replay_of(
        sim.state.transmissions.get(key), same=lambda t: t.same_message(envelope, body)
    )
    if stored is not None:
        return Receipt(stored, replayed=True)
    if rejects(sim.faults, body.juminhyo_code):
        raise rejected()
    transmission = sim.state.accept(
        key=key, envelope=envelope, body=body, now=now_jst(), traceparent=current_traceparent()
    )
    _after_accepting(sim, transmission)
    return Receipt(transmission, replayed=False)


def _after_accepting(sim: Simulator, transmission: Transmission) -> None:
    if transmission.envelope.type == "identity":
        sim.numbers.mark_juminhyo_code_used(transmission.juminhyo_code)
    if isinstance(transmission.body, MyNumberRequestBody):
        _schedule(sim, _answer_my_number(sim, transmission, transmission.body))


def _schedule(sim: Simulator, answer: Coroutine[Any, Any, None]) -> None:
    task: asyncio.Task[None] = asyncio.get_running_loop().create_task(answer)
    sim.pending.add(task)
    task.add_done_callback(sim.pending.discard)


async def _answer_my_number(
    sim: Simulator, transmission: Transmission, request: MyNumberRequestBody
) -> None:
    """After the delay, queue the 個人番号 J-LIS generated, in the request's trace."""
    await asyncio.sleep(sim.my_number_delay)
    context = context_from(transmission.traceparent)
    with tracer.start_as_current_span("cs.my_number_generated", context=context) as span:
        span.set_attribute("cs.request_receipt_no", transmission.receipt_no)
        answer = MyNumberGenerated(
            juminhyo_code=transmission.juminhyo_code,
            my_number=_my_number_for(sim, request),
            request_receipt_no=transmission.receipt_no,
        )
        sim.state.notify(
            type_="my_number_generated",
            body=answer.model_dump(mode="json"),
            now=now_jst(),
            traceparent=transmission.traceparent,
        )


def _my_number_for(sim: Simulator, request: MyNumberRequestBody) -> str:
    """新規付番 keeps a number already generated for the code; 変更請求 always gets a new one."""
    code = request.juminhyo_code
    known = sim.state.my_numbers.get(code)
    if known is None or request.reason == "change":
        known = sim.numbers.new_my_number()
        sim.state.keep_my_number(code, known)
    return known


def queue_move_in_notice(*, sim: Simulator, notice: MoveInNotice) -> Notification:
    """Queue a 転入通知 as if the new municipality had sent it through CS."""
    return sim.state.notify(
        type_="move_in_notice",
        body=notice.model_dump(mode="json"),
        now=now_jst(),
        traceparent=current_traceparent(),
    )


def free_code_batch(
    *, sim: Simulator, key: UUID, request: FreeCodeRequest
) -> tuple[FreeCodeBatch, bool]:
    """Hand out unused 住民票コード once per key; return the batch and whether it was a replay."""
    stored = replay_of(
        sim.state.free_code_batches.get(key), same=lambda b: b.count == request.count
    )
    if stored is not None:
        return stored, True
    codes = tuple(sim.numbers.new_juminhyo_code() for _ in range(request.count))
    batch = FreeCodeBatch(key, uuid4(), request.count, codes)
    sim.state.keep_free_codes(batch)
    return batch, False


def answer_pending_requests(sim: Simulator) -> int:
    """After a restart: answer each 個人番号生成要求 accepted but not yet answered (its answer was
    a timer of the process that died). Returns how many were scheduled."""
    answered = sim.state.answered_receipts()
    waiting = [
        t
        for t in sim.state.transmissions.values()
        if isinstance(t.body, MyNumberRequestBody) and t.receipt_no not in answered
    ]
    for transmission in waiting:
        assert isinstance(transmission.body, MyNumberRequestBody)
        _schedule(sim, _answer_my_number(sim, transmission, transmission.body))
    return len(waiting)
