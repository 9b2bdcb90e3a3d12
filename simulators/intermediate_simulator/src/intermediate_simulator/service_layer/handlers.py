"""Use cases of the simulated 中間サーバー: take a 副本 operation from the ward, answer another
body's 情報照会 (and record it), keep the legal-basis table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from jumin_platform.telemetry import current_traceparent
from jumin_simulator.idempotency import Acknowledgement, replay_of
from opentelemetry import trace

from intermediate_simulator.domain.copies import CopyVersion, next_version, refusal
from intermediate_simulator.domain.errors import rejected
from intermediate_simulator.domain.faults import rejects
from intermediate_simulator.domain.inquiries import (
    InquiryIn,
    Outcome,
    ProvisionRecord,
    decide,
    provided_items,
)
from intermediate_simulator.domain.legal_bases import LegalBasis
from intermediate_simulator.domain.state import Receipt
from intermediate_simulator.domain.validation import parse_operation
from intermediate_simulator.service_layer.simulator import Simulator

tracer = trace.get_tracer("intermediate_simulator")


def receive_operation(*, sim: Simulator, key: UUID, payload: Any) -> Acknowledgement[Receipt]:
    """Apply one 副本 operation once per key; a resend gets the stored answer.

    Raises CodedError: E-FORMAT, E-KEY-REUSED, E-REJECTED, E-ALREADY-REGISTERED,
    E-NOT-REGISTERED, E-OUT-OF-ORDER.
    """
    envelope, items = parse_operation(payload, municipality_code=sim.municipality_code)
    operation = envelope.body
    state = sim.state
    stored = replay_of(state.receipts.get(key), same=lambda r: r.same_message(envelope, operation))
    if stored is not None:
        return Acknowledgement(stored, replayed=True)
    if rejects(sim.faults, operation.fugo):
        raise rejected()
    current = state.current(operation.fugo, operation.data_item)
    refused = refusal(current, operation)
    if refused is not None:
        raise refused
    with tracer.start_as_current_span("intermediate.copy") as span:
        now = sim.clock()
        receipt_no = state.next_receipt_no()
        copy = next_version(current, operation, items, receipt_no=receipt_no, now=now)
        state.keep_copy(copy)
        receipt = Receipt(
            key, envelope, operation, receipt_no, now, current_traceparent(), copy.version
        )
        state.keep_receipt(receipt)
        span.set_attribute("intermediate.receipt_no", receipt_no)
        span.set_attribute("intermediate.operation", operation.operation)
        span.set_attribute("intermediate.data_item", operation.data_item)
        span.set_attribute("intermediate.version", copy.version)
    return Acknowledgement(receipt, replayed=False)


@dataclass(frozen=True)
class Answer:
    """What the asking body gets, and the record the answer left."""

    record: ProvisionRecord
    items: dict[str, Any] | None
    as_of: str | None


def answer_inquiry(*, sim: Simulator, inquiry: InquiryIn) -> Answer:
    """Answer another body's 情報照会 from the 副本 (or refuse it) and record the answer."""
    state = sim.state
    with tracer.start_as_current_span("intermediate.inquiry") as span:
        basis = state.legal_bases.get(inquiry.legal_basis_id)
        current = state.current(inquiry.fugo, inquiry.data_item)
        outcome, refusal_code = decide(inquiry, basis, current)
        provided = current if outcome is Outcome.PROVIDED else None
        record = ProvisionRecord(
            record_no=state.next_record_no(),
            answered_at=sim.clock(),
            fugo=inquiry.fugo,
            data_item=inquiry.data_item,
            requester_code=inquiry.requester_code,
            requester_name=inquiry.requester_name,
            legal_basis_id=inquiry.legal_basis_id,
            clause=None if basis is None else basis.clause,
            outcome=outcome,
            refusal_code=refusal_code,
            copy_version=None if provided is None else provided.version,
        )
        state.keep_record(record)
        span.set_attribute("intermediate.record_no", record.record_no)
        span.set_attribute("intermediate.outcome", outcome.value)
        span.set_attribute("intermediate.legal_basis_id", inquiry.legal_basis_id)
        if refusal_code:
            span.set_attribute("intermediate.refusal_code", refusal_code)
    return Answer(record, provided_items(outcome, current), _as_of(provided))


def _as_of(copy: CopyVersion | None) -> str | None:
    return None if copy is None else copy.as_of.isoformat()


def keep_legal_basis(*, sim: Simulator, basis: LegalBasis) -> LegalBasis:
    """Add or replace an entry of the legal-basis table."""
    sim.state.keep_legal_basis(basis)
    return basis
