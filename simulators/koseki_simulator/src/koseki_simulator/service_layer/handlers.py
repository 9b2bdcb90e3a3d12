"""Use cases of the simulated 戸籍附票システム: receive a notice and collate it, take 戸籍 events
(test API) and send what the 戸籍 side sends the 住所地, seed 戸籍."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from jumin_platform.telemetry import current_traceparent
from jumin_simulator.clock import now_jst
from jumin_simulator.faults import rejects
from jumin_simulator.feed import Notification
from jumin_simulator.idempotency import replay_of
from opentelemetry import trace

from koseki_simulator.domain.errors import koseki_exists, rejected, unknown
from koseki_simulator.domain.fuhyo import Koseki, Member, Mismatch, apply_notice, collate
from koseki_simulator.domain.notices import (
    Birth,
    CollationNoticeIn,
    Death,
    HonsekiTransferNoticeIn,
    KosekiEvent,
    KosekiIn,
    Marriage,
    NameChange,
    Transfer,
)
from koseki_simulator.domain.outbound import (
    COLLATION_NOTICE,
    HONSEKI_TRANSFER_NOTICE,
    RESIDENCE_RECORD_NOTICE,
    Before,
    collation_notice,
    residence_record_notice,
)
from koseki_simulator.domain.state import Answer
from koseki_simulator.domain.validation import parse_notice
from koseki_simulator.service_layer.simulator import Simulator

tracer = trace.get_tracer("koseki_simulator")


@dataclass(frozen=True)
class Receipt:
    """What the sender gets back: the stored answer and whether this was a replay."""

    answer: Answer
    replayed: bool


def receive_notice(*, sim: Simulator, key: UUID, payload: Any) -> Receipt:
    """Receive a 附票記載事項通知 once per key and collate it with the 附票; a resend gets the
    stored answer (nothing applied twice). An accepted notice is written onto the 附票; one that
    disagrees changes nothing and (by default) queues a 戸籍照合通知.

    Raises CodedError: E-FORMAT (bad items), E-KEY-REUSED (same key, other notice), E-REJECTED.
    """
    envelope, body = parse_notice(payload, municipality_code=sim.municipality_code)
    stored = replay_of(sim.state.answers.get(key), same=lambda a: a.same_message(envelope, body))
    if stored is not None:
        return Receipt(stored, replayed=True)
    if rejects(sim.faults, body.juminhyo_code):
        raise rejected()
    state = sim.state
    with tracer.start_as_current_span("koseki.collate") as span:
        koseki = state.find(body.honseki, body.hittosha)
        collation = collate(koseki, body)
        if koseki is not None and collation.member is not None and not collation.mismatches:
            apply_notice(collation.member, body)
            state.keep(koseki)
        answer = Answer(
            key,
            envelope,
            body,
            state.next_receipt_no(),
            now_jst(),
            current_traceparent(),
            tuple(m.code for m in collation.mismatches),
        )
        state.keep_answer(answer)
        span.set_attribute("koseki.receipt_no", answer.receipt_no)
        span.set_attribute("koseki.result", answer.mismatches[0] if answer.mismatches else "ok")
        if collation.mismatches and sim.collation_notice_on_mismatch:
            _notify(
                sim,
                COLLATION_NOTICE,
                collation_notice(
                    honseki=body.honseki,
                    hittosha=body.hittosha,
                    juminhyo_code=body.juminhyo_code,
                    mismatches=collation.mismatches,
                    member=collation.member,
                    receipt_no=answer.receipt_no,
                ),
            )
    return Receipt(answer, replayed=False)


def seed_koseki(*, sim: Simulator, seeded: KosekiIn) -> Koseki:
    """Hold a 戸籍 and its 附票 as given (replacing one with the same 本籍・筆頭者)."""
    koseki = Koseki.of(seeded)
    sim.state.keep(koseki)
    return koseki


def apply_event(*, sim: Simulator, event: KosekiEvent) -> list[Notification]:
    """Apply a 戸籍 event to the 戸籍 and 附票 held and send the 住民票記載事項通知 it causes."""
    with tracer.start_as_current_span("koseki.event") as span:
        span.set_attribute("koseki.event", event.event)
        if isinstance(event, Marriage):
            return [_marriage(sim, event)]
        if isinstance(event, NameChange):
            return [_name_change(sim, event)]
        if isinstance(event, Death):
            return [_death(sim, event)]
        if isinstance(event, Birth):
            return [_birth(sim, event)]
        return _transfer(sim, event)


def _koseki(sim: Simulator, honseki: str, hittosha: str) -> Koseki:
    koseki = sim.state.koseki.get((honseki, hittosha))
    if koseki is None:
        raise unknown(Mismatch.KOSEKI_UNKNOWN)
    return koseki


def _member(koseki: Koseki, juminhyo_code: str) -> Member:
    member = koseki.member_with_code(juminhyo_code)
    if member is None:
        raise unknown(Mismatch.PERSON_UNKNOWN)
    return member


def _marriage(sim: Simulator, event: Marriage) -> Notification:
    """婚姻・離婚: the person leaves the 戸籍 (除籍) for the new one, with the new 氏."""
    state = sim.state
    koseki = _koseki(sim, event.honseki, event.hittosha)
    member = _member(koseki, event.juminhyo_code)
    before = Before.of(koseki, member)
    municipality = event.new_honseki_municipality_code or sim.municipality_code
    new_key = (event.new_honseki, event.new_hittosha)
    if new_key == koseki.key:
        member.family_name = event.new_family_name
        member.family_name_kana = event.new_family_name_kana or member.family_name_kana
        state.keep(koseki)
        target, moved = koseki, member
    else:
        member.in_koseki = False
        state.keep(koseki)
        moved = Member(
            event.new_family_name,
            member.given_name,
            member.birth_date,
            member.sex,
            member.juminhyo_code,
            list(member.addresses),
            family_name_kana=event.new_family_name_kana or member.family_name_kana,
            given_name_kana=member.given_name_kana,
        )
        in_ward = municipality == sim.municipality_code
        target = (state.koseki.get(new_key) if in_ward else None) or Koseki(*new_key)
        target.members.append(moved)
        if in_ward:
            state.keep(target)  # else the new 本籍地 keeps the 附票
    return _notify(
        sim,
        RESIDENCE_RECORD_NOTICE,
        residence_record_notice(
            event=event.event,
            event_date=event.event_date,
            koseki=target,
            member=moved,
            honseki_municipality_code=municipality,
            before=before,
        ),
    )


def _name_change(sim: Simulator, event: NameChange) -> Notification:
    koseki = _koseki(sim, event.honseki, event.hittosha)
    member = _member(koseki, event.juminhyo_code)
    before = Before.of(koseki, member)
    member.family_name = event.new_family_name or member.family_name
    member.given_name = event.new_given_name or member.given_name
    member.family_name_kana = event.new_family_name_kana or member.family_name_kana
    member.given_name_kana = event.new_given_name_kana or member.given_name_kana
    sim.state.keep(koseki)
    return _notify(sim, RESIDENCE_RECORD_NOTICE, _in_ward(sim, event, koseki, member, before))


def _death(sim: Simulator, event: Death) -> Notification:
    koseki = _koseki(sim, event.honseki, event.hittosha)
    member = _member(koseki, event.juminhyo_code)
    member.in_koseki = False
    sim.state.keep(koseki)
    return _notify(sim, RESIDENCE_RECORD_NOTICE, _in_ward(sim, event, koseki, member, None))


def _birth(sim: Simulator, event: Birth) -> Notification:
    koseki = _koseki(sim, event.honseki, event.hittosha)
    child = Member(
        event.family_name,
        event.given_name,
        event.birth_date,
        event.sex,
        event.juminhyo_code,
        family_name_kana=event.family_name_kana,
        given_name_kana=event.given_name_kana,
    )
    koseki.members.append(child)
    sim.state.keep(koseki)
    body = _in_ward(sim, event, koseki, child, None)
    body["parent_juminhyo_codes"] = list(event.parent_juminhyo_codes)
    return _notify(sim, RESIDENCE_RECORD_NOTICE, body)


def _transfer(sim: Simulator, event: Transfer) -> list[Notification]:
    """転籍: the 戸籍 gets a new 本籍; out of the ward, its 附票 leaves this system."""
    state = sim.state
    koseki = _koseki(sim, event.honseki, event.hittosha)
    municipality = event.new_honseki_municipality_code or sim.municipality_code
    in_ward = municipality == sim.municipality_code
    moved = koseki.moved_to(event.new_honseki)
    if in_ward and moved.key != koseki.key and moved.key in state.koseki:
        raise koseki_exists()
    befores = [(m, Before.of(koseki, m)) for m in koseki.present()]
    state.drop(koseki.key)
    if in_ward:
        state.keep(moved)
    return [
        _notify(
            sim,
            RESIDENCE_RECORD_NOTICE,
            residence_record_notice(
                event="transfer",
                event_date=event.event_date,
                koseki=moved,
                member=member,
                honseki_municipality_code=municipality,
                before=before,
            ),
        )
        for member, before in befores
    ]


def _in_ward(
    sim: Simulator,
    event: NameChange | Death | Birth,
    koseki: Koseki,
    member: Member,
    before: Before | None,
) -> dict[str, Any]:
    return residence_record_notice(
        event=event.event,
        event_date=event.event_date,
        koseki=koseki,
        member=member,
        honseki_municipality_code=sim.municipality_code,
        before=before,
    )


def queue_collation_notice(*, sim: Simulator, notice: CollationNoticeIn) -> Notification:
    """Queue a 戸籍照合通知 by hand (as if the 戸籍 clerk found a disagreement)."""
    items = notice.model_dump(mode="json")
    koseki_items = {k: items.pop(k) for k in ("family_name", "given_name", "birth_date", "sex")}
    body = {
        **items,
        "koseki_items": koseki_items if any(koseki_items.values()) else None,
        "receipt_no": None,
    }
    return _notify(sim, COLLATION_NOTICE, body)


def queue_honseki_transfer_notice(
    *, sim: Simulator, notice: HonsekiTransferNoticeIn
) -> Notification:
    """Queue a 本籍転属通知 (the person's 本籍 now belongs to another 本籍地)."""
    return _notify(sim, HONSEKI_TRANSFER_NOTICE, notice.model_dump(mode="json"))


def _notify(sim: Simulator, type_: str, body: dict[str, Any]) -> Notification:
    return sim.state.notify(
        type_=type_, body=body, now=now_jst(), traceparent=current_traceparent()
    )
