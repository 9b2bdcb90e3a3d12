"""Use cases of the simulated 統合宛名: take a 宛名連携 (link or number the person, send the
符号取得要求), hand out the 符号 that came back, look a person up."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from jumin_platform.telemetry import context_from, current_traceparent
from jumin_simulator.faults import rejects
from jumin_simulator.feed import Notification
from jumin_simulator.idempotency import Acknowledgement, replay_of
from jumin_simulator.validation import check_sender, parse
from opentelemetry import trace

from atena_simulator.domain.errors import not_found, rejected
from atena_simulator.domain.messages import Envelope, PersonItems
from atena_simulator.domain.persons import (
    Person,
    fugo,
    integrated_atena_no,
    merged,
    new_person,
    with_request,
)
from atena_simulator.domain.state import Receipt
from atena_simulator.service_layer.simulator import Simulator

tracer = trace.get_tracer("atena_simulator")

FUGO_OBTAINED = "fugo_obtained"
"""Feed notice: a person's 符号 came back through 住基ネット."""


def receive_person(*, sim: Simulator, key: UUID, payload: Any) -> Acknowledgement[Receipt]:
    """Take one person's 宛名連携 once per key; a resend gets the stored answer.

    Raises CodedError: E-FORMAT, E-KEY-REUSED, E-REJECTED.
    """
    envelope = parse(Envelope, payload, loc=("body",))
    check_sender(envelope.municipality_code, served=sim.municipality_code)
    items = envelope.body
    state = sim.state
    stored = replay_of(state.receipts.get(key), same=lambda r: r.same_message(envelope, items))
    if stored is not None:
        return Acknowledgement(stored, replayed=True)
    if rejects(sim.faults, items.juminhyo_code):
        raise rejected()
    with tracer.start_as_current_span("atena.receive") as span:
        person, first_sight = _linked(sim, items)
        now = sim.clock()
        person = with_request(
            person,
            rng=sim.number_rng,
            now=now,
            due=now + sim.fugo_delay,
            traceparent=current_traceparent(),
        )
        state.keep_person(person)
        receipt = Receipt(
            key,
            envelope,
            items,
            state.next_receipt_no(),
            now,
            current_traceparent(),
            person.integrated_atena_no,
            first_sight,
            person.fugo_status,
        )
        state.keep_receipt(receipt)
        span.set_attribute("atena.receipt_no", receipt.receipt_no)
        span.set_attribute("atena.first_sight", first_sight)
        span.set_attribute("atena.fugo_status", person.fugo_status.value)
    return Acknowledgement(receipt, replayed=False)


def _linked(sim: Simulator, items: PersonItems) -> tuple[Person, bool]:
    """The person with this message's items, and whether it was seen for the first time."""
    known = sim.state.match(items)
    if known is not None:
        return merged(known, items), False
    return new_person(items, integrated_atena_no(len(sim.state.persons) + 1)), True


def hand_out_due_fugo(sim: Simulator) -> list[Notification]:
    """Queue every 符号 that has come back by now, in request order (each in its request's
    trace)."""
    return [_obtained(sim, person) for person in sim.state.due(sim.clock())]


def _obtained(sim: Simulator, person: Person) -> Notification:
    with tracer.start_as_current_span(
        "atena.fugo_obtained", context=context_from(person.request_traceparent)
    ):
        now = sim.clock()
        person = person.model_copy(update={"fugo": fugo(sim.number_rng), "fugo_obtained_at": now})
        sim.state.keep_person(person)
        body = {
            "integrated_atena_no": person.integrated_atena_no,
            "acquisition_no": person.acquisition_no,
            "fugo": person.fugo,
            "obtained_at": now.isoformat(),
        }
        return sim.state.notify(
            type_=FUGO_OBTAINED, body=body, now=now, traceparent=person.request_traceparent
        )


def look_up(
    *, sim: Simulator, integrated_no: str | None, system: str, atena_no: str | None
) -> Person:
    """The person under a 団体内統合宛名番号 or a system's 宛名番号 (E-NOT-FOUND: none)."""
    hand_out_due_fugo(sim)
    if integrated_no is not None:
        person = sim.state.persons.get(integrated_no)
    else:
        person = None if atena_no is None else sim.state.by_link(system, atena_no)
    if person is None:
        raise not_found()
    return person
