"""Use cases of the simulated ministry: receive a notice, issue the results that are due, take
injected results and 長官通知 (test API), seed its record of foreign residents."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from jumin_platform.telemetry import context_from, current_traceparent
from jumin_simulator.feed import Notification
from jumin_simulator.idempotency import Acknowledgement, replay_of
from opentelemetry import trace

from moj_simulator.domain.director import (
    DIRECTOR_NOTICE,
    DirectorNoticeIn,
    corrected,
    director_notice_body,
    is_special_permanent,
)
from moj_simulator.domain.errors import rejected
from moj_simulator.domain.faults import rejects
from moj_simulator.domain.records import Outcome, Resident, collate
from moj_simulator.domain.results import PROCESSING_RESULT, ResultIn, result_body
from moj_simulator.domain.state import Receipt
from moj_simulator.domain.validation import parse_notice
from moj_simulator.service_layer.simulator import Simulator

tracer = trace.get_tracer("moj_simulator")


def receive_notice(*, sim: Simulator, key: UUID, payload: Any) -> Acknowledgement[Receipt]:
    """Receive a 市町村通知 or 市町村伝達 once per key; a resend gets the stored receipt.

    Its processing result is queued once due (`issue_due_results`).
    Raises CodedError: E-FORMAT, E-NOT-NOTIFIABLE, E-KEY-REUSED, E-REJECTED.
    """
    envelope, body = parse_notice(payload, municipality_code=sim.municipality_code)
    state = sim.state
    stored = replay_of(state.receipts.get(key), same=lambda r: r.same_message(envelope, body))
    if stored is not None:
        return Acknowledgement(stored, replayed=True)
    if rejects(sim.faults, body.card_no):
        raise rejected()
    with tracer.start_as_current_span("moj.receive") as span:
        now = sim.clock()
        receipt = Receipt(
            key,
            envelope,
            body,
            state.next_receipt_no(),
            now,
            current_traceparent(),
            now + sim.result_delay,
        )
        state.keep_receipt(receipt)
        span.set_attribute("moj.receipt_no", receipt.receipt_no)
        span.set_attribute("moj.notice_type", envelope.type)
    return Acknowledgement(receipt, replayed=False)


def issue_due_results(sim: Simulator) -> list[Notification]:
    """Queue the processing result of every notice whose result is due, in receipt order."""
    return [_issue(sim, receipt) for receipt in sim.state.due(sim.clock())]


def _issue(sim: Simulator, receipt: Receipt) -> Notification:
    state = sim.state
    with tracer.start_as_current_span(
        "moj.result", context=context_from(receipt.traceparent)
    ) as span:
        card_no = receipt.body.card_no
        record = state.residents.get(card_no) if card_no else None
        outcome = collate(record, receipt.body, strict=sim.strict_records)
        if card_no and record is None and not sim.strict_records:
            state.keep_resident(Resident.learned(card_no, receipt.body))
        span.set_attribute("moj.receipt_no", receipt.receipt_no)
        span.set_attribute("moj.result", outcome.error_code or "ok")
        return _queue_result(sim, receipt.receipt_no, receipt, outcome, None)


def inject_result(*, sim: Simulator, result: ResultIn) -> Notification:
    """Queue a processing result by hand; a held notice's own result is then never sent."""
    receipt = sim.state.by_receipt_no(result.receipt_no)
    with tracer.start_as_current_span("moj.result") as span:
        span.set_attribute("moj.receipt_no", result.receipt_no)
        span.set_attribute("moj.result", result.error_code or "ok")
        return _queue_result(sim, result.receipt_no, receipt, result.outcome, result.message)


def _queue_result(
    sim: Simulator,
    receipt_no: str,
    receipt: Receipt | None,
    outcome: Outcome,
    message: str | None,
) -> Notification:
    now = sim.clock()
    sim.state.keep_result(receipt_no, outcome.error_code)
    body = result_body(
        receipt_no=receipt_no, receipt=receipt, outcome=outcome, processed_at=now, message=message
    )
    traceparent = receipt.traceparent if receipt else current_traceparent()
    return sim.state.notify(type_=PROCESSING_RESULT, body=body, now=now, traceparent=traceparent)


def queue_director_notice(*, sim: Simulator, notice: DirectorNoticeIn) -> Notification:
    """Record a change the ministry made (the record of the person changes with it) and queue
    its 長官通知 for the ward."""
    state = sim.state
    with tracer.start_as_current_span("moj.director_notice") as span:
        card_no = notice.card_no
        record = state.residents.get(card_no) if card_no else None
        if record is not None:
            for changed in corrected(record, notice):
                state.keep_resident(changed)
        now = sim.clock()
        body = director_notice_body(
            notice,
            notice_no=state.next_director_notice_no(),
            notice_date=now.strftime("%Y%m%d"),
            special_permanent=is_special_permanent(notice, record),
        )
        span.set_attribute("moj.notice_no", body["notice_no"])
        span.set_attribute("moj.director_notice_kind", notice.kind)
        return state.notify(
            type_=DIRECTOR_NOTICE, body=body, now=now, traceparent=current_traceparent()
        )


def seed_resident(*, sim: Simulator, resident: Resident) -> Resident:
    """Hold a foreign resident in the ministry's record (replacing one with the same number)."""
    sim.state.keep_resident(resident)
    return resident
