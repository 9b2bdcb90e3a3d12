"""Decide what to do with one message for one person: pure functions, no I/O.

The registry numbers each recipient's messages per person (``seq`` = 1, 2, 3 …). A consumer keeps,
per person, the last ``seq`` it applied and, when a message failed for good, which event blocks the
person (docs/architecture.md, non-negotiable 3):

    seq <= last, or event already in the inbox   → duplicate: acknowledge, do nothing
    person blocked by another event              → park until an operator resends or skips
    seq > last + 1                               → park until the gap is filled
    seq == last + 1                              → handle
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

__all__ = ["Decision", "Progress", "decide", "next_retry_delay"]


class Decision(StrEnum):
    """What the sequence check says about one message."""

    HANDLE = "handle"
    DUPLICATE = "duplicate"
    PARK_GAP = "gap"
    PARK_BLOCKED = "blocked"

    @property
    def parks(self) -> bool:
        """Tell whether the message waits in the parked table."""
        return self in (Decision.PARK_GAP, Decision.PARK_BLOCKED)


@dataclass(frozen=True)
class Progress:
    """How far one person's messages have been applied (0 = none yet)."""

    last_seq: int = 0
    blocked_event_id: UUID | None = None

    @property
    def next_seq(self) -> int:
        """Return the only sequence number that may be handled now."""
        return self.last_seq + 1


def decide(*, seq: int, event_id: UUID, progress: Progress, already_processed: bool) -> Decision:
    """Classify a message by its sequence number against the person's progress."""
    if already_processed or seq <= progress.last_seq:
        return Decision.DUPLICATE
    blocked_by = progress.blocked_event_id
    if blocked_by is not None and blocked_by != event_id:
        return Decision.PARK_BLOCKED
    if seq > progress.next_seq:
        return Decision.PARK_GAP
    return Decision.HANDLE


def next_retry_delay(attempt: int, delays: Sequence[int]) -> int | None:
    """Return the wait before retry number ``attempt + 1``, or None when retries are used up.

    ``attempt`` counts the retries already made (0 for a first delivery).
    """
    if 0 <= attempt < len(delays):
        return delays[attempt]
    return None
