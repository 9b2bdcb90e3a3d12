"""再送信: send recorded messages again, optionally with another 異動事由.

Each resend is a new transmission with its own record (`resend_of` points at the original) and,
unless the adapter's `RecordKeeping` says otherwise, a new idempotency key. Messages go in id
order under the person's lock. A message is not sent when the system has since received the same
type for a later event of the person (outside this resend): it keeps the latest it accepted, so
resending the older one would put stale data back (異動の時系列の担保).
Held messages are released, not resent; nothing is sent in 手動連携.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from jumin_platform.deliveries.ledger import DeliveryLedger
from jumin_platform.deliveries.ports import LedgerUnits, RecordKeeping, Transmitter, new_record
from jumin_platform.deliveries.records import STATUS_OF, Delivery, DeliveryStatus, Outgoing
from jumin_platform.deliveries.refusals import ManualModeOn, NothingFound, TooMany

__all__ = ["ResendOutcome", "ResendRequest", "resend"]

logger = logging.getLogger("jumin_platform.deliveries.resend")


@dataclass(frozen=True, kw_only=True)
class ResendRequest:
    """Which records to resend (ids, or those sent in [sent_from, sent_to)) and how."""

    delivery_ids: Sequence[int] = ()
    sent_from: datetime | None = None
    sent_to: datetime | None = None
    change_reason: str | None = None
    operator: str
    reason: str | None = None


@dataclass(frozen=True)
class ResendOutcome:
    """What became of one record: `sent`, `rejected`, `failed`, or why it was not sent."""

    delivery_id: int
    person_key: str  # whose message (処理対象者 of the access log; not in the API answer)
    outcome: str
    new_delivery_id: int | None = None
    receipt_no: str | None = None
    reply: str | None = None


@dataclass(frozen=True)
class _Resender:
    uow: LedgerUnits
    sender: Transmitter
    keeping: RecordKeeping
    request: ResendRequest
    batch: list[UUID]


async def resend(
    uow: LedgerUnits,
    sender: Transmitter,
    keeping: RecordKeeping,
    request: ResendRequest,
    *,
    most: int,
) -> list[ResendOutcome]:
    """Resend the chosen records in id order; one outcome per record."""
    async with uow() as unit:
        if await unit.deliveries.manual_mode():
            raise ManualModeOn()
        chosen = await _choose(unit.deliveries, request, most)
    resender = _Resender(uow, sender, keeping, request, [d.event_id for d in chosen])
    outcomes = [await _resend_one(resender, d) for d in chosen]
    logger.info("operator %s resent %d message(s)", request.operator, len(outcomes))
    return outcomes


async def _choose(repo: DeliveryLedger, request: ResendRequest, most: int) -> list[Delivery]:
    if request.delivery_ids:
        if len(request.delivery_ids) > most:
            raise TooMany(_TOO_MANY.format(most=most))
        chosen = await repo.by_ids(request.delivery_ids)
        missing = set(request.delivery_ids) - {d.id for d in chosen}
        if missing:
            raise NothingFound(_UNKNOWN_IDS.format(ids=", ".join(map(str, sorted(missing)))))
        return chosen
    assert request.sent_from is not None
    assert request.sent_to is not None
    chosen = await repo.sent_between(request.sent_from, request.sent_to, most + 1)
    if len(chosen) > most:
        raise TooMany(_TOO_MANY.format(most=most))
    return chosen


async def _resend_one(r: _Resender, original: Delivery) -> ResendOutcome:
    if original.status is DeliveryStatus.HELD:
        return ResendOutcome(original.id, original.person_key, "held: release it instead")
    async with r.uow() as unit:
        repo = unit.deliveries
        await repo.lock_person(original.person_key)
        refusal = await _why_not(repo, original, r.batch)
        if refusal:
            return ResendOutcome(original.id, original.person_key, refusal)
        message = _with_reason(r.keeping.rebuild(original), r.request.change_reason)
        key = r.keeping.resend_key(original)
        reply = await r.sender.send(message, event_id=original.event_id, key=key)
        status = STATUS_OF[reply.kind]
        record = await repo.add(
            new_record(
                r.keeping,
                message,
                event_id=original.event_id,
                key=key,
                person_key=original.person_key,
                seq=original.seq,
                status=status,
                reply=reply,
                resend_of=original.id,
                operator=r.request.operator,
                note=r.request.reason,
            )
        )
        await unit.commit()
    described = None if status is DeliveryStatus.SENT else reply.describe()
    return ResendOutcome(
        original.id, original.person_key, status.value, record.id, reply.receipt_no, described
    )


async def _why_not(repo: DeliveryLedger, original: Delivery, batch: list[UUID]) -> str | None:
    """Say why the record must not be resent now (None: it may)."""
    if await repo.has_held(original.person_key):
        return "person has held messages: release them first"
    if await repo.newer_sent_exists(original, batch):
        return "superseded: the system has a newer message of this type"
    return None


def _with_reason(message: Outgoing, change_reason: str | None) -> Outgoing:
    """Change the 異動事由 of a message that carries one (some messages have none)."""
    if change_reason is None or message.change_reason is None:
        return message
    return message.with_change_reason(change_reason)


_TOO_MANY = (
    "一度に再送信できるのは {most} 件までです。範囲を狭めてください。 "
    "(At most {most} messages per resend; narrow the selection.)"
)
_UNKNOWN_IDS = "該当する送信記録がありません: {ids} (No such delivery records: {ids}.)"
