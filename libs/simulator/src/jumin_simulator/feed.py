"""A cursor feed of notices a simulated system has for the ward, fetched by cursor.

Cursors are `cursor_base + 1, + 2, …` by position; the base is the start time in microseconds, so
a restarted simulator without a journal still hands out cursors above any the ward stored before.
Fetching is idempotent (nothing is removed by reading).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

AfterCursor = Annotated[int, Query(ge=0, description="last cursor acted on")]
"""`after`: the feed's items after this cursor."""

PageLimit = Annotated[int, Query(ge=1, le=500)]
"""`limit`: at most this many items."""


@dataclass(frozen=True)
class Notification:
    """One notice waiting for the ward, in cursor order."""

    cursor: int
    notification_id: UUID
    type: str
    created_at: datetime
    traceparent: str | None
    body: dict[str, Any]


def new_cursor_base() -> int:
    """A base above every cursor handed out before now (the time in microseconds)."""
    return time.time_ns() // 1_000


@dataclass
class NotificationFeed:
    """The notices in cursor order."""

    cursor_base: int = field(default_factory=new_cursor_base)
    items: list[Notification] = field(default_factory=list)

    def append(
        self,
        *,
        type_: str,
        body: dict[str, Any],
        now: datetime,
        traceparent: str | None,
        notification_id: UUID | None = None,
    ) -> Notification:
        """Queue a notice with the next cursor."""
        notification = Notification(
            self.cursor_base + len(self.items) + 1,
            notification_id or uuid4(),
            type_,
            now,
            traceparent,
            body,
        )
        self.items.append(notification)
        return notification

    def after(self, cursor: int, limit: int) -> list[Notification]:
        """Return up to *limit* notices after *cursor*."""
        start = min(max(cursor - self.cursor_base, 0), len(self.items))
        return self.items[start : start + limit]


def journal_entry(notification: Notification) -> dict[str, Any]:
    """The journal's record of a queued notice (replayed by `replay_entry`)."""
    return {
        "kind": "notify",
        "id": str(notification.notification_id),
        "type": notification.type,
        "body": notification.body,
        "at": notification.created_at.isoformat(),
        "traceparent": notification.traceparent,
    }


def replay_entry(feed: NotificationFeed, entry: dict[str, Any]) -> Notification:
    """Queue again a notice from its journal record."""
    return feed.append(
        type_=entry["type"],
        body=entry["body"],
        now=datetime.fromisoformat(entry["at"]),
        traceparent=entry["traceparent"],
        notification_id=UUID(entry["id"]),
    )


class NotificationOut(BaseModel):
    """One notice for the ward."""

    cursor: int
    notification_id: UUID
    type: str
    created_at: datetime
    traceparent: str | None
    body: dict[str, Any]

    @classmethod
    def of(cls, notification: Notification) -> NotificationOut:
        """Describe a notification."""
        return cls.model_validate(notification, from_attributes=True)


class QueuedNotice(BaseModel):
    """Where a notice queued through the test API sits."""

    cursor: int
    notification_id: UUID
    type: str

    @classmethod
    def of(cls, notification: Notification) -> QueuedNotice:
        """Describe a queued notification."""
        return cls(
            cursor=notification.cursor,
            notification_id=notification.notification_id,
            type=notification.type,
        )


class NotificationPage(BaseModel):
    """Notices after a cursor; `next` is the cursor to ask after next time."""

    items: list[NotificationOut]
    next: int

    @classmethod
    def of(cls, feed: NotificationFeed, after: int, limit: int) -> NotificationPage:
        """The page of *feed* after *after*."""
        items = feed.after(after, limit)
        return cls(
            items=[NotificationOut.of(n) for n in items], next=items[-1].cursor if items else after
        )


def add_notifications_route(
    router: APIRouter,
    *,
    summary: str,
    responses: dict[int | str, dict[str, Any]],
    before: Callable[[Any], object] | None = None,
) -> None:
    """Add `GET /notifications` to the simulator's *router*: its feed's page after a cursor, once
    *before* (if any) has run on the app's simulator (queueing what has come due)."""

    @router.get("/notifications", summary=summary, responses=responses)
    async def get_notifications(
        request: Request, after: AfterCursor = 0, limit: PageLimit = 100
    ) -> NotificationPage:
        simulator = request.app.state.simulator
        if before is not None:
            before(simulator)
        return NotificationPage.of(simulator.state.feed, after, limit)
