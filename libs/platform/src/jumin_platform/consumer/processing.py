"""Apply messages in order, once: inbox, sequence check, parking, retry and dead-letter decisions.

`Processor` is independent of the broker and the database: it talks to a `Store` (transactions
over the kit's tables) and an `Outlet` (publishing to the retry and dead-letter exchanges), so the
unit tests drive it with fakes. The broker side acts on the returned `Outcome`.

One message, one transaction: lock the person's progress row, check inbox and sequence, then either
park it, or run the adapter's handler in a savepoint together with the inbox insert. A handler
failure rolls back the savepoint only, so blocking the person commits with the same lock held.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import RecipientMessage
from pydantic import ValidationError

from jumin_platform.consumer.errors import ConsumerError, PermanentError, TransientError
from jumin_platform.consumer.messages import Incoming, ModelIndex, describe_validation_error
from jumin_platform.consumer.sequencing import Decision, Progress, decide, next_retry_delay

__all__ = ["Handler", "Outcome", "Outlet", "Processor", "Store", "Unit", "Verdict"]

logger = logging.getLogger(__name__)

Handler = Callable[[Envelope, RecipientMessage, Any], Awaitable[None]]
"""``async def handle(envelope, payload, connection)``: the adapter's effect, inside the kit's
transaction (``connection`` is the asyncpg connection; write delivery records through it)."""


class Unit(Protocol):
    """One transaction over the kit's tables."""

    @property
    def connection(self) -> Any: ...

    def savepoint(self) -> AbstractAsyncContextManager[object]: ...

    async def lock_person(self, person_key: str) -> Progress: ...

    async def seen(self, event_id: UUID) -> bool: ...

    async def mark_applied(self, message: Incoming) -> bool | None:
        """Record the event as applied; tell whether the person has parked messages (None:
        unknown, so the caller drains anyway)."""
        ...

    async def park(self, message: Incoming, reason: Decision) -> None: ...

    async def take_parked(self, person_key: str, seq: int) -> Incoming | None: ...

    async def block(self, message: Incoming, reason: str) -> None: ...


class Store(Protocol):
    """Open transactions (`Unit`s); committed when the block exits normally."""

    def unit(self) -> AbstractAsyncContextManager[Unit]: ...


class Outlet(Protocol):
    """Publish a message into a retry wait queue or the recipient's dead-letter queue."""

    async def retry(self, message: Incoming, *, attempt: int, delay: int) -> None: ...

    async def dead_letter(self, message: Incoming, *, reason: str) -> None: ...


class Verdict(StrEnum):
    """What to tell the broker about a delivery once the transaction has committed."""

    ACK = "ack"  # applied, duplicate or parked
    RETRY = "retry"  # publish to the wait queue `delay`, then ack
    DEAD = "dead"  # reject without requeue: the broker dead-letters it into <r>.dead


@dataclass(frozen=True)
class Outcome:
    """The result of processing one message."""

    decision: Decision
    verdict: Verdict = Verdict.ACK
    attempt: int = 0
    delay: int | None = None
    reason: str | None = None
    #: whether the person may have parked messages behind this one (False only when known)
    parked_behind: bool = True

    @property
    def applied(self) -> bool:
        """Tell whether the handler's effect committed (so parked successors may follow)."""
        return self.decision is Decision.HANDLE and self.verdict is Verdict.ACK

    @property
    def should_drain(self) -> bool:
        """Tell whether to look for parked successors (a drain costs one transaction)."""
        return self.applied and self.parked_behind


class Processor:
    """Run the sequence check and the handler for messages and for parked messages."""

    def __init__(
        self,
        *,
        store: Store,
        outlet: Outlet,
        handler: Handler,
        models: ModelIndex,
        retry_delays: Sequence[int],
    ) -> None:
        self._store = store
        self._outlet = outlet
        self._handler = handler
        self._models = models
        self._delays = tuple(retry_delays)

    async def consume(self, message: Incoming) -> Outcome:
        """Process a message from the broker; the caller acts on the verdict, then drains."""
        async with self._store.unit() as unit:
            progress = await unit.lock_person(message.person_key)
            seen = await unit.seen(message.event_id)
            decision = decide(
                seq=message.seq,
                event_id=message.event_id,
                progress=progress,
                already_processed=seen,
            )
            if decision.parks:
                await unit.park(message, decision)
            if decision is not Decision.HANDLE:
                return Outcome(decision)
            return await self._attempt(unit, message)

    async def drain(self, person_key: str) -> int:
        """Apply the person's parked messages that are now next in line; return how many."""
        applied = 0
        while await self._drain_one(person_key):
            applied += 1
        return applied

    async def _drain_one(self, person_key: str) -> bool:
        async with self._store.unit() as unit:
            progress = await unit.lock_person(person_key)
            if progress.blocked_event_id is not None:
                return False
            parked = await unit.take_parked(person_key, progress.next_seq)
            if parked is None:
                return False
            if await unit.seen(parked.event_id):
                return True
            outcome = await self._attempt(unit, parked)
            # A parked message has no delivery to reject: publish it before the delete commits.
            if outcome.verdict is Verdict.RETRY and outcome.delay is not None:
                await self._outlet.retry(parked, attempt=outcome.attempt, delay=outcome.delay)
            elif outcome.verdict is Verdict.DEAD:
                await self._outlet.dead_letter(parked, reason=outcome.reason or "failed")
            return outcome.should_drain

    async def _attempt(self, unit: Unit, message: Incoming) -> Outcome:
        """Run the handler in a savepoint; classify a failure and block the person if it is final."""
        try:
            async with unit.savepoint():
                payload = self._models.read(message.envelope)
                await self._handler(message.envelope, payload, unit.connection)
                parked_behind = await unit.mark_applied(message)
        except TransientError as exc:
            return await self._transient(unit, message, exc)
        except (ConsumerError, ValidationError) as exc:
            return await self._permanent(unit, message, _reason(exc))
        logger.info("applied event %s seq %d", message.event_id, message.seq)
        return Outcome(Decision.HANDLE, parked_behind=parked_behind is not False)

    async def _transient(self, unit: Unit, message: Incoming, exc: TransientError) -> Outcome:
        delay = next_retry_delay(message.attempt, self._delays)
        if delay is None:
            reason = f"retries exhausted after {message.attempt}: {exc.reason()}"
            return await self._permanent(unit, message, reason)
        logger.info("event %s: transient failure, retry in %ds", message.event_id, delay)
        return Outcome(
            Decision.HANDLE,
            Verdict.RETRY,
            attempt=message.attempt + 1,
            delay=delay,
            reason=exc.reason(),
        )

    async def _permanent(self, unit: Unit, message: Incoming, reason: str) -> Outcome:
        await unit.block(message, reason)
        logger.warning("event %s dead-lettered, person blocked: %s", message.event_id, reason)
        return Outcome(Decision.HANDLE, Verdict.DEAD, attempt=message.attempt, reason=reason)


def _reason(exc: ConsumerError | ValidationError) -> str:
    if isinstance(exc, ValidationError):
        return describe_validation_error(exc)
    if isinstance(exc, PermanentError):
        return exc.reason()
    return f"{type(exc).__name__}: {exc.reason()}"
