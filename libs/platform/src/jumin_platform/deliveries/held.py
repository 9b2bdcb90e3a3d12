"""手動連携 (一時的に手動連携に切り替える): switch, export, release, hand over.

While manual mode is on, the handler records messages as `held` instead of sending them (and
keeps holding a person's messages while earlier ones of theirs are held, so the system never gets
them out of order). Held messages can be exported for hand-over, marked as handed over by hand,
or — once manual mode is off — released: sent in id order, stopping for a person at their first
failure. A hand-over must take a person's held messages oldest first (no older one may stay held).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jumin_platform.deliveries.ports import (
    LedgerUnits,
    RecordKeeping,
    Transmitter,
    current_trace_id,
)
from jumin_platform.deliveries.records import Delivery, DeliveryStatus, ReplyClass
from jumin_platform.deliveries.refusals import HandOverOutOfOrder, ManualModeOn

__all__ = [
    "ReleaseFailure",
    "ReleaseReport",
    "export_held",
    "hand_over",
    "release_held",
    "switch_manual_mode",
]

logger = logging.getLogger("jumin_platform.deliveries.held")


@dataclass(frozen=True)
class ReleaseFailure:
    """The first held message of a person that was not taken (the person's rest stay held)."""

    delivery_id: int
    person_key: str
    reply: str


@dataclass
class ReleaseReport:
    sent: list[int] = field(default_factory=list)
    failed: list[ReleaseFailure] = field(default_factory=list)
    still_held: int = 0
    persons: list[str] = field(default_factory=list)  # whose held messages were released


async def switch_manual_mode(uow: LedgerUnits, *, manual: bool, operator: str, reason: str) -> None:
    """Turn 手動連携 on or off, recording who and why."""
    async with uow() as unit:
        await unit.deliveries.set_manual_mode(manual=manual, operator=operator, reason=reason)
        await unit.commit()
    logger.warning("operator %s switched manual hand-over %s", operator, "on" if manual else "off")


async def export_held(
    uow: LedgerUnits, keeping: RecordKeeping, *, operator: str, limit: int
) -> list[tuple[Delivery, dict[str, Any]]]:
    """Return held messages with their full bodies (secrets unsealed) for hand-over by hand."""
    async with uow() as unit:
        held = await unit.deliveries.list_held(limit)
    logger.warning("operator %s exported %d held message(s) for hand-over", operator, len(held))
    return [(d, dict(keeping.rebuild(d).body)) for d in held]


async def hand_over(
    uow: LedgerUnits, *, ids: Sequence[int], operator: str, reason: str
) -> list[int]:
    """Mark held messages as handed over by hand; return the ids that were held.

    Refused (nothing changed) when a person would keep an older held message while a newer one
    of theirs is handed over: a later release would send the older one after the newer
    (異動の時系列の担保).
    """
    async with uow() as unit:
        repo = unit.deliveries
        await repo.lock_held_persons(ids)
        left_behind = await repo.held_left_behind(ids)
        if left_behind:
            logger.warning(
                "operator %s hand-over refused: %d person(s) would keep older held messages",
                operator,
                len(left_behind),
            )
            raise HandOverOutOfOrder(left_behind)
        done = await repo.hand_over(ids, operator=operator, reason=reason)
        await unit.commit()
    logger.warning("operator %s marked %d message(s) handed over", operator, len(done))
    return done


async def release_held(
    uow: LedgerUnits, sender: Transmitter, keeping: RecordKeeping, *, operator: str
) -> ReleaseReport:
    """Send every held message in id order; a person's first failure keeps their rest held."""
    async with uow() as unit:
        if await unit.deliveries.manual_mode():
            raise ManualModeOn()
        persons = await unit.deliveries.held_persons()
    report = ReleaseReport(persons=list(persons))
    for person_key in persons:
        await _release_person(uow, sender, keeping, person_key, operator, report)
    async with uow() as unit:
        report.still_held = await unit.deliveries.count_held()
    logger.info("released %d held message(s), %d failed", len(report.sent), len(report.failed))
    return report


async def _release_person(
    uow: LedgerUnits,
    sender: Transmitter,
    keeping: RecordKeeping,
    person_key: str,
    operator: str,
    report: ReleaseReport,
) -> None:
    while True:
        async with uow() as unit:
            repo = unit.deliveries
            await repo.lock_person(person_key)
            held = await repo.first_held(person_key)
            if held is None:
                return
            message = keeping.rebuild(held)
            reply = await sender.send(message, event_id=held.event_id, key=held.idempotency_key)
            accepted = reply.kind is ReplyClass.ACCEPTED
            status = DeliveryStatus.SENT if accepted else DeliveryStatus.HELD
            await repo.update_reply(
                held.id, status=status, reply=reply, trace_id=current_trace_id(), operator=operator
            )
            await unit.commit()
        if not accepted:
            report.failed.append(ReleaseFailure(held.id, person_key, reply.describe()))
            return
        report.sent.append(held.id)
