"""Send one message of a consumed event and record it: the core of an adapter's kit handler.

Runs inside the consumer kit's transaction, on its connection: lock the person, decide whether
to hold (手動連携, or behind the person's held messages), send with the given idempotency key and
record the transmission (提供・移転の記録) — or record it as held without sending.

A failure rolls the kit's savepoint back, so the records of this attempt (including a message the
system did accept before a later one failed) are written in a separate transaction before the
error goes to the kit: `rejected` (permanent: the kit blocks the person, its reason names the
code) or `failed` (transient: the kit retries with the same key, and the system replays what it
accepted).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
from jumin_contracts.envelope import Envelope

from jumin_platform.consumer.errors import PermanentError, TransientError
from jumin_platform.deliveries.ledger import DeliveryLedger
from jumin_platform.deliveries.ports import LedgerUnits, RecordKeeping, Transmitter, new_record
from jumin_platform.deliveries.records import (
    STATUS_OF,
    DeliveryStatus,
    NewDelivery,
    Outgoing,
    Reply,
    ReplyClass,
    should_hold,
)

__all__ = ["Attempt", "LedgerSending"]

logger = logging.getLogger("jumin_platform.deliveries.sending")


@dataclass
class Attempt:
    """What one handler call has decided and sent so far (written out if a later send fails)."""

    envelope: Envelope
    hold: bool
    records: list[NewDelivery] = field(default_factory=list)


AfterFailure = Callable[[], Awaitable[None]]
"""Called once the failed attempt's records are written, before the error goes to the kit."""


@dataclass
class LedgerSending:
    """Send or hold an event's messages and record them (an adapter's handler holds one)."""

    sender: Transmitter
    keeping: RecordKeeping
    uow: LedgerUnits  # the adapter's own transactions: records that must outlive a rollback

    async def begin(self, repo: DeliveryLedger, envelope: Envelope) -> Attempt:
        """Lock the person and decide whether their message is held rather than sent."""
        await repo.lock_person(envelope.person_key)
        hold = should_hold(
            manual_mode=await repo.manual_mode(),
            person_has_held=await repo.has_held(envelope.person_key),
        )
        return Attempt(envelope, hold)

    async def send_or_hold(
        self,
        attempt: Attempt,
        message: Outgoing,
        key: UUID,
        *,
        after_failure: AfterFailure | None = None,
    ) -> None:
        """Hold the message, or send it; a refusal or no answer raises for the kit."""
        if attempt.hold:
            attempt.records.append(self._record(attempt, message, key, DeliveryStatus.HELD))
            return
        envelope = attempt.envelope
        reply = await self.sender.send(message, event_id=envelope.event_id, key=key)
        kind = reply.kind
        attempt.records.append(self._record(attempt, message, key, STATUS_OF[kind], reply))
        if kind is ReplyClass.ACCEPTED:
            logger.info("event %s %s sent: %s", envelope.event_id, message.type, reply.receipt_no)
            return
        await self.record_apart(attempt)
        if after_failure is not None:
            await after_failure()
        reason = f"{message.type}: {reply.describe()}"
        if kind is ReplyClass.TRANSIENT:
            raise TransientError(reason)
        raise PermanentError(reason)

    async def finish(self, repo: DeliveryLedger, attempt: Attempt) -> None:
        """Record what the attempt sent or held, in the kit's transaction."""
        for record in attempt.records:
            await repo.add(record)
        if attempt.hold:
            logger.info("event %s held (manual hand-over)", attempt.envelope.event_id)

    async def record_apart(self, attempt: Attempt) -> None:
        """Write this attempt's records in their own transaction (the kit's will roll back)."""
        try:
            async with self.uow() as unit:
                for record in attempt.records:
                    await unit.deliveries.add(record)
                await unit.commit()
        except (OSError, asyncpg.PostgresError) as exc:
            logger.error("could not record a failed transmission: %s", type(exc).__name__)

    def _record(
        self,
        attempt: Attempt,
        message: Outgoing,
        key: UUID,
        status: DeliveryStatus,
        reply: Reply | None = None,
    ) -> NewDelivery:
        envelope = attempt.envelope
        return new_record(
            self.keeping,
            message,
            event_id=envelope.event_id,
            key=key,
            person_key=envelope.person_key,
            seq=envelope.seq,
            status=status,
            reply=reply,
        )
