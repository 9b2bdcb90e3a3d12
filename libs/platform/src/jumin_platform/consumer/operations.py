"""What an operator can do about stuck messages: list, resend, skip (docs/architecture.md).

- A dead letter is resent through the shortest retry wait queue with its retry count reset; its
  person is unblocked (their parked messages follow once it succeeds, by sequence).
- A dead letter (or a blocking event whose message is gone) is skipped: the person's progress moves
  past it, the inbox records it as skipped so a late copy is a duplicate, the person is unblocked
  and their parked messages are applied at once. Only the next message in line may be skipped:
  jumping a gap would turn the missing earlier messages into "duplicates".

Every action is recorded in `operator_actions` with the operator and the reason. Operator calls are
serialised: a dead-letter scan holds the messages it has read until it ends.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from jumin_platform.consumer.dead_letters import DeadLetter, DeadLetterQueue
from jumin_platform.consumer.inbox import PgStore, PgUnit
from jumin_platform.consumer.processing import Processor
from jumin_platform.consumer.transport import BrokerOutlet

__all__ = [
    "ActionResult",
    "Blocked",
    "NotFound",
    "NotNext",
    "NotRunning",
    "Operations",
    "OperatorError",
    "Parked",
    "Unreadable",
]

logger = logging.getLogger(__name__)


class OperatorError(Exception):
    """An operator request that cannot be carried out; `status` is its HTTP status."""

    status = 409
    title = "Conflict"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(OperatorError):
    status = 404
    title = "Not Found"


class NotNext(OperatorError):
    """Skipping this message would jump over earlier messages not yet applied."""


class NotRunning(OperatorError):
    """The consumer is stopped, so there is no broker or database connection to act with."""

    status = 503
    title = "Service Unavailable"


class Unreadable(OperatorError):
    """The dead letter has no readable envelope, so its person and seq are unknown."""


@dataclass(frozen=True)
class Parked:
    event_id: UUID
    person_key: str
    seq: int
    routing_key: str
    reason: str
    parked_at: datetime
    failures: int


@dataclass(frozen=True)
class Blocked:
    person_key: str
    last_seq: int
    blocked_event_id: UUID
    reason: str | None
    blocked_at: datetime


@dataclass(frozen=True)
class ActionResult:
    event_id: UUID
    action: str
    person_key: str | None
    seq: int | None


@dataclass(frozen=True)
class _Target:
    """The message an action is about: from the dead letter, or from the person it blocks."""

    event_id: UUID
    person_key: str
    seq: int
    routing_key: str


class Operations:
    """Operator use cases over one recipient's dead-letter queue and kit tables."""

    def __init__(
        self,
        *,
        store: PgStore,
        dead: DeadLetterQueue,
        outlet: BrokerOutlet,
        processor: Processor,
    ) -> None:
        self._store = store
        self._dead = dead
        self._outlet = outlet
        self._processor = processor
        self._lock = asyncio.Lock()

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        """List dead letters (they stay in the queue), with the failure noted when it blocked."""
        async with self._lock:
            letters = await self._dead.browse(limit)
        ids = [str(letter.event_id) for letter in letters if letter.event_id]
        rows = await self._store.fetch(self._store.sql.blocked_reasons, ids)
        reasons = {row["blocked_event_id"]: row["blocked_reason"] for row in rows}
        return [_with_detail(letter, reasons.get(letter.event_id)) for letter in letters]

    async def parked(self, limit: int) -> list[Parked]:
        rows = await self._store.fetch(self._store.sql.list_parked, limit)
        return [Parked(**dict(row)) for row in rows]

    async def blocked(self, limit: int) -> list[Blocked]:
        rows = await self._store.fetch(self._store.sql.list_blocked, limit)
        return [
            Blocked(
                person_key=row["person_key"],
                last_seq=row["last_seq"],
                blocked_event_id=row["blocked_event_id"],
                reason=row["blocked_reason"],
                blocked_at=row["blocked_at"],
            )
            for row in rows
        ]

    async def resend(self, event_id: UUID, *, operator: str, reason: str) -> ActionResult:
        """Put a dead letter back into the main flow and unblock its person."""
        async with self._lock, self._dead.take(event_id) as letter:
            if letter is None:
                raise NotFound(_NOT_DEAD.format(event_id=event_id))
            await self._outlet.resend(
                letter.body,
                letter.headers,
                message_id=letter.message_id,
                routing_key=letter.routing_key,
            )
            async with self._store.unit() as unit:
                await unit.unblock(event_id)
                await _record(unit, "resend", operator, reason, event_id, letter)
        logger.info("operator %s resent event %s", operator, event_id)
        return ActionResult(event_id, "resend", letter.person_key, letter.seq)

    async def skip(self, event_id: UUID, *, operator: str, reason: str) -> ActionResult:
        """Move the person past this message for good, then apply their parked successors."""
        async with self._lock:
            async with self._dead.take(event_id) as letter:
                target = await self._target(event_id, letter)
                async with self._store.unit() as unit:
                    progress = await unit.lock_person(target.person_key)
                    if target.seq > progress.next_seq:
                        raise NotNext(_NOT_NEXT.format(seq=target.seq, next=progress.next_seq))
                    await unit.skip(
                        target.event_id, target.person_key, target.seq, target.routing_key
                    )
                    await _record(unit, "skip", operator, reason, event_id, letter, target)
            logger.info("operator %s skipped event %s", operator, event_id)
            await self._drain(target.person_key)
        return ActionResult(event_id, "skip", target.person_key, target.seq)

    async def _drain(self, person_key: str) -> None:
        """Apply the parked successors; if that fails now, the next message or a restart will."""
        try:
            await self._processor.drain(person_key)
        except Exception as exc:
            logger.error("draining after a skip failed: %s", type(exc).__name__)

    async def _target(self, event_id: UUID, letter: DeadLetter | None) -> _Target:
        if letter is not None:
            if letter.envelope is None or letter.person_key is None:
                raise Unreadable(_UNREADABLE.format(event_id=event_id))
            envelope = letter.envelope
            return _Target(event_id, envelope.person_key, envelope.seq, letter.routing_key)
        rows = await self._store.fetch(self._store.sql.blocker, event_id)
        if not rows:
            raise NotFound(_NOT_DEAD_OR_BLOCKING.format(event_id=event_id))
        return _Target(event_id, rows[0]["person_key"], rows[0]["seq"], "")


async def _record(
    unit: PgUnit,
    action: str,
    operator: str,
    reason: str,
    event_id: UUID,
    letter: DeadLetter | None,
    target: _Target | None = None,
) -> None:
    person_key = target.person_key if target else (letter.person_key if letter else None)
    seq = target.seq if target else (letter.seq if letter else None)
    await unit.record_action(
        operator=operator,
        action=action,
        event_id=event_id,
        person_key=person_key,
        seq=seq,
        reason=reason,
    )


def _with_detail(letter: DeadLetter, blocked_reason: str | None) -> DeadLetter:
    if letter.detail or not blocked_reason:
        return letter
    return replace(letter, detail=blocked_reason)


_NOT_DEAD = (
    "イベント {event_id} はデッドレターキューにありません。一覧で確認してください。 "
    "(Event {event_id} is not in the dead-letter queue; check GET /operator/dead.)"
)
_NOT_DEAD_OR_BLOCKING = (
    "イベント {event_id} はデッドレターキューになく、処理を止めてもいません。 "
    "(Event {event_id} is neither dead-lettered nor blocking a person; nothing to skip. "
    "Parked messages follow by themselves once the one before them is applied or skipped.)"
)
_NOT_NEXT = (
    "この通知 (seq {seq}) より前の通知 (seq {next} から) が未処理のため、スキップできません。"
    "先にそれらを再送またはスキップしてください。 "
    "(Messages before seq {seq}, from seq {next}, are not applied yet; resend or skip those first.)"
)
_UNREADABLE = (
    "イベント {event_id} の封筒を読めないため、対象者と通番が分かりません。 "
    "(The envelope of event {event_id} cannot be read, so its person and seq are unknown; "
    "it can be resent, but not skipped.)"
)
