"""Apply messages in order, once: inbox, sequence check, parking, retry and dead-letter decisions.

`Processor` is independent of the broker and the database: it talks to a `Store` (transactions
over the kit's tables) and an `Outlet` (publishing to the retry and dead-letter exchanges), so the
unit tests drive it with fakes. The broker side acts on the returned `Outcome`.

Deliveries that are ready together share one transaction (`consume_batch`; a batch of one is the
plain case): lock the progress rows of their people (in key order), check inbox and sequence, then
take the messages in seq order per person and either park each, or run the adapter's handler in a
savepoint of its own. A handler failure rolls back that savepoint only, so blocking the person
commits with the same lock held and the other messages of the batch still commit. The inbox rows
and progress of the applied messages are written in one statement before the commit (so effect and
inbox row still commit together); within the batch the kit follows each person's progress itself.
An unexpected exception from a handler (a bug or an outage) rolls back its savepoint and returns
that message to the queue; one from the kit's own statements rolls back the whole batch.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import RecipientMessage
from opentelemetry.context import attach, detach
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

    async def lock_batch(
        self, person_keys: Sequence[str], event_ids: Sequence[UUID]
    ) -> tuple[dict[str, Progress], set[UUID]]:
        """Lock (creating if new) the progress rows of several people, in key order; return
        them and which of the events are already in the inbox."""
        ...

    async def seen(self, event_id: UUID) -> bool: ...

    async def mark_applied(self, message: Incoming) -> bool | None:
        """Record the event as applied; tell whether the person has parked messages (None:
        unknown, so the caller drains anyway)."""
        ...

    async def mark_all_applied(self, messages: Sequence[Incoming]) -> set[str]:
        """Record events as applied (in one go); return the people with parked messages."""
        ...

    async def park(self, message: Incoming, reason: Decision) -> None: ...

    async def take_parked(self, person_key: str, seq: int) -> Incoming | None: ...

    async def count_parked_failure(self, event_id: UUID) -> int:
        """Count one more unexpected failure of a parked message; return the count (0: gone)."""
        ...

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
    REQUEUE = "requeue"  # a bug or an outage: back off, return it to the queue


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
        parked_failure_limit: int = 10,
    ) -> None:
        self._store = store
        self._outlet = outlet
        self._handler = handler
        self._models = models
        self._delays = tuple(retry_delays)
        #: like the queue's delivery limit, for messages applied from parking (no delivery)
        self._parked_failure_limit = parked_failure_limit

    async def consume(self, message: Incoming) -> Outcome:
        """Process a message from the broker; the caller acts on the verdict, then drains."""
        (outcome,) = await self.consume_batch([message])
        return outcome

    async def consume_batch(self, messages: Sequence[Incoming]) -> list[Outcome]:
        """Process deliveries in one transaction; return their outcomes in the same order.

        Raises (nothing committed) only when the kit's own statements or the commit fail.
        """
        people = sorted({m.person_key for m in messages})
        outcomes: dict[int, Outcome] = {}
        async with self._store.unit() as unit:
            events = list({m.event_id: None for m in messages})
            progress, seen = await unit.lock_batch(people, events)
            applied: list[Incoming] = []
            by_person = sorted(range(len(messages)), key=lambda i: _place(messages[i]))
            for i in by_person:
                outcomes[i] = await self._consume_one(unit, messages[i], progress, seen, applied)
            parked = await unit.mark_all_applied(applied) if applied else set()
        return [_with_parked(outcomes[i], messages[i], parked) for i in range(len(messages))]

    async def _consume_one(
        self,
        unit: Unit,
        message: Incoming,
        progress: dict[str, Progress],
        seen: set[UUID],
        applied: list[Incoming],
    ) -> Outcome:
        """Decide on one message of a batch against the person's progress so far in the batch."""
        person = progress[message.person_key]
        decision = decide(
            seq=message.seq,
            event_id=message.event_id,
            progress=person,
            already_processed=message.event_id in seen,
        )
        if decision.parks:
            await unit.park(message, decision)
        if decision is not Decision.HANDLE:
            return Outcome(decision)
        token = attach(message.trace_context) if message.trace_context is not None else None
        try:
            outcome = await self._attempt(unit, message, deferred=applied)
        finally:
            if token is not None:
                detach(token)
        # Another copy of this event later in the batch is a duplicate whatever became of this
        # one: applied, retried, dead-lettered or requeued, one copy carries it on.
        seen.add(message.event_id)
        if outcome.applied:
            blocker = person.blocked_event_id
            progress[message.person_key] = Progress(
                last_seq=max(person.last_seq, message.seq),
                blocked_event_id=None if blocker == message.event_id else blocker,
            )
        elif outcome.verdict is Verdict.DEAD:
            progress[message.person_key] = Progress(person.last_seq, message.event_id)
        return outcome

    async def drain(self, person_key: str) -> int:
        """Apply the person's parked messages that are now next in line; return how many."""
        applied = 0
        while await self._drain_one(person_key):
            applied += 1
        return applied

    async def _drain_one(self, person_key: str) -> bool:
        taken: list[Incoming] = []
        try:
            return await self._drain_next(person_key, taken)
        except Exception as exc:
            if taken:  # the handler failed unexpectedly: rolled back, the message still parked
                await self._parked_failed(taken[0], type(exc).__name__)
            raise

    async def _drain_next(self, person_key: str, taken: list[Incoming]) -> bool:
        async with self._store.unit() as unit:
            progress = await unit.lock_person(person_key)
            if progress.blocked_event_id is not None:
                return False
            parked = await unit.take_parked(person_key, progress.next_seq)
            if parked is None:
                return False
            taken.append(parked)
            if await unit.seen(parked.event_id):
                return True
            outcome = await self._attempt(unit, parked)
            # A parked message has no delivery to reject: publish it before the delete commits.
            if outcome.verdict is Verdict.RETRY and outcome.delay is not None:
                await self._outlet.retry(parked, attempt=outcome.attempt, delay=outcome.delay)
            elif outcome.verdict is Verdict.DEAD:
                await self._outlet.dead_letter(parked, reason=outcome.reason or "failed")
            return outcome.should_drain

    async def _parked_failed(self, message: Incoming, kind: str) -> None:
        """Count an unexpected failure of a parked message; at the limit, dead-letter it and
        block its person, as the broker's delivery limit does for a delivery."""
        async with self._store.unit() as unit:
            failures = await unit.count_parked_failure(message.event_id)
            if failures < self._parked_failure_limit:
                return
            await unit.lock_person(message.person_key)
            parked = await unit.take_parked(message.person_key, message.seq)
            if parked is None:
                return
            reason = f"failed {failures} times while applied from parking: {kind}"
            await unit.block(parked, reason)
            # no delivery to reject: publish it before the delete commits
            await self._outlet.dead_letter(parked, reason=reason)
        logger.warning("event %s dead-lettered, person blocked: %s", message.event_id, reason)

    async def _attempt(
        self, unit: Unit, message: Incoming, *, deferred: list[Incoming] | None = None
    ) -> Outcome:
        """Run the handler in a savepoint; classify a failure and block the person if it is final.

        With ``deferred`` (a batch), the inbox row and progress are written for the whole batch
        later in the same transaction; otherwise here, inside the savepoint.
        """
        parked_behind: bool | None = None
        try:
            async with unit.savepoint():
                payload = self._models.read(message.envelope)
                await self._handler(message.envelope, payload, unit.connection)
                if deferred is None:
                    parked_behind = await unit.mark_applied(message)
        except TransientError as exc:
            return await self._transient(unit, message, exc)
        except (ConsumerError, ValidationError) as exc:
            return await self._permanent(unit, message, _reason(exc))
        except Exception as exc:
            if deferred is None:
                raise
            kind = type(exc).__name__
            logger.error("event %s: %s; returned to the queue", message.event_id, kind)
            return Outcome(Decision.HANDLE, Verdict.REQUEUE, reason=kind)
        if deferred is not None:
            deferred.append(message)
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


def _place(message: Incoming) -> tuple[str, int]:
    """Order a batch by person, then seq: each person's messages are taken in sequence."""
    return message.person_key, message.seq


def _with_parked(outcome: Outcome, message: Incoming, parked: set[str]) -> Outcome:
    """Fill in whether an applied message's person has parked messages (known after the batch)."""
    if not outcome.applied:
        return outcome
    return replace(outcome, parked_behind=message.person_key in parked)


def _reason(exc: ConsumerError | ValidationError) -> str:
    if isinstance(exc, ValidationError):
        return describe_validation_error(exc)
    if isinstance(exc, PermanentError):
        return exc.reason()
    return f"{type(exc).__name__}: {exc.reason()}"
