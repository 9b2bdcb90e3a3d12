"""Notifications an external system queues for the ward, fetched by cursor (pure data).

CS (`GET /cs/v1/notifications`) and the 戸籍附票システム (`GET /koseki/v1/notifications`) share
one feed format: `{"items": [{"cursor", "notification_id", "type", "created_at", "traceparent",
"body"}], "next"}`. An adapter maps each notification to a registry command, keeps it in records
of its own (`Kept`: the 法務省's processing results, say), or says why none (`Skipped`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal
from uuid import UUID

__all__ = ["Kept", "Notification", "Outcome", "Skipped", "notification_from"]

Outcome = Literal["published", "kept", "ignored", "invalid"]
"""What became of a notification taken in (stored with it)."""

OUTCOMES: Final[tuple[Outcome, ...]] = ("published", "kept", "ignored", "invalid")


@dataclass(frozen=True)
class Notification:
    """One item of an external system's notification feed, in cursor order."""

    cursor: int
    notification_id: UUID
    type: str
    created_at: str | None
    traceparent: str | None
    body: Mapping[str, Any]


@dataclass(frozen=True)
class Skipped:
    """A notification that becomes no command: `ignored` (unknown type) or `invalid` (bad body).

    `detail` names types and fields only, never values.
    """

    outcome: Literal["ignored", "invalid"]
    detail: str


@dataclass(frozen=True)
class Kept:
    """A notification the adapter takes into records of its own instead of a command.

    `item` is what the adapter's mapping read from the body (its own type); the poller hands it
    to `on_taken` in the transaction that moves the cursor. `detail` names types and ids only.
    """

    item: object
    detail: str


def notification_from(item: Mapping[str, Any]) -> Notification:
    """Read one feed item; KeyError or ValueError when its cursor, id or type is missing."""
    body = item.get("body")
    return Notification(
        cursor=int(item["cursor"]),
        notification_id=UUID(str(item["notification_id"])),
        type=str(item["type"]),
        created_at=_text(item.get("created_at")),
        traceparent=_text(item.get("traceparent")),
        body=body if isinstance(body, Mapping) else {},
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
