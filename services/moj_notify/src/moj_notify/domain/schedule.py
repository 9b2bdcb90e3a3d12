"""The schedule's rules (送信予定): which notice goes now, which waits, and for what (pure).

A person's open notices go one at a time in (seq, id) order: only the first (the head) may be
sent. It goes when its day has come (`not_before`, the 異動日 in ward time: a 転出予定日 ahead
is waited for), its retry time has come (after an unanswered attempt) and nothing blocks the
person (a refused notice, or an error 処理結果 not yet handled). Everything behind it waits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

__all__ = [
    "WARD_TIME",
    "Head",
    "NoticeStatus",
    "Plan",
    "ScheduledNotice",
    "Waiting",
    "plan",
    "retry_delay",
    "waiting_for",
    "ward_day",
]

WARD_TIME = ZoneInfo("Asia/Tokyo")
"""The ward's time: a 異動日 is a day in Japan."""


class NoticeStatus(StrEnum):
    """Where a scheduled notice stands."""

    PENDING = "pending"  # to send: due, or waiting
    SENT = "sent"  # the ministry received it
    HELD = "held"  # in the delivery record as held (手動連携): released or handed over there
    REFUSED = "refused"  # refused for good: the person's later notices wait (operator)
    WITHDRAWN = "withdrawn"  # an operator took it off the schedule


class Waiting(StrEnum):
    """What a notice waits for (送信待ちの理由)."""

    NOTHING = "nothing"  # due: goes now
    DATE = "date"  # its 異動日 (転出予定日) is ahead
    RETRY = "retry"  # the ministry did not answer; tried again at next_attempt_at
    EARLIER_NOTICE = "earlier_notice"  # the person's earlier notice goes first
    PERSON_BLOCKED = "person_blocked"  # a refusal or an error 処理結果 not yet handled
    OPERATOR = "operator"  # refused: retry or withdraw it
    DONE = "done"  # sent, held in the delivery record or withdrawn


@dataclass(frozen=True, kw_only=True)
class ScheduledNotice:
    """One notice on the schedule."""

    id: int
    event_id: UUID
    type: str
    person_key: str
    seq: int
    change_kind: str
    not_before: date | None
    idempotency_key: UUID
    body: dict[str, Any]
    status: NoticeStatus
    attempts: int
    next_attempt_at: datetime | None
    last_reply: str | None
    delivery_id: int | None
    traceparent: str | None
    received_at: datetime
    done_at: datetime | None
    operator: str | None
    note: str | None


@dataclass(frozen=True)
class Head:
    """A person's first open notice, and whether the person is blocked."""

    notice: ScheduledNotice
    blocked: bool


@dataclass(frozen=True)
class Plan:
    """What the dispatcher sends now, and when it must look again (None: when woken)."""

    due: list[ScheduledNotice]
    wake_at: datetime | None


def ward_day(now: datetime) -> date:
    """Return the ward's date at an instant."""
    return now.astimezone(WARD_TIME).date()


def waiting_for(head: Head, now: datetime) -> Waiting:
    """Say what a person's head notice waits for (NOTHING: it goes now)."""
    notice = head.notice
    if notice.status is NoticeStatus.REFUSED:
        return Waiting.OPERATOR
    if notice.status is not NoticeStatus.PENDING:
        return Waiting.DONE
    if head.blocked:
        return Waiting.PERSON_BLOCKED
    if notice.not_before is not None and notice.not_before > ward_day(now):
        return Waiting.DATE
    if notice.next_attempt_at is not None and notice.next_attempt_at > now:
        return Waiting.RETRY
    return Waiting.NOTHING


def plan(heads: Iterable[Head], now: datetime) -> Plan:
    """Choose the heads to send now (oldest first) and the next time one falls due."""
    due: list[ScheduledNotice] = []
    wakes: list[datetime] = []
    for head in heads:
        waits = waiting_for(head, now)
        if waits is Waiting.NOTHING:
            due.append(head.notice)
        elif waits is Waiting.DATE and head.notice.not_before is not None:
            wakes.append(day_start(head.notice.not_before))
        elif waits is Waiting.RETRY and head.notice.next_attempt_at is not None:
            wakes.append(head.notice.next_attempt_at)
    due.sort(key=lambda n: n.id)
    return Plan(due, min(wakes, default=None))


def day_start(day: date) -> datetime:
    """Return the first instant of a ward day (00:00 in Japan)."""
    return datetime.combine(day, time(0), tzinfo=WARD_TIME)


def retry_delay(attempts: int, *, first: float, most: float) -> timedelta:
    """Return the wait after the `attempts`-th unanswered attempt: doubling from `first`, at most
    `most` seconds."""
    exponent = min(max(attempts - 1, 0), 32)
    return timedelta(seconds=min(most, first * 2**exponent))
