"""The transactional outbox (registry.outbox): add in the approval's transaction, read for the relay."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from jumin_platform.my_number_vault import MyNumberVault

NEXT_SEQ = """
INSERT INTO registry.outbox_sequences AS s (recipient, person_key, last_seq)
VALUES ($1, $2, 1)
ON CONFLICT (recipient, person_key) DO UPDATE SET last_seq = s.last_seq + 1
RETURNING last_seq
"""

INSERT = """
INSERT INTO registry.outbox
    (event_id, change_id, recipient, routing_key, person_key, seq, sealed_body, traceparent,
     created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
"""

UNPUBLISHED = """
SELECT id, event_id, routing_key, person_key, seq, sealed_body, traceparent
  FROM registry.outbox
 WHERE published_at IS NULL
 ORDER BY id
 LIMIT $1
"""

MARK_PUBLISHED = """
UPDATE registry.outbox SET published_at = $2 WHERE id = ANY ($1::bigint[])
"""


@dataclass(frozen=True, kw_only=True)
class OutgoingMessage:
    """One message for one recipient about one person, before its sequence number is known."""

    event_id: UUID
    change_id: UUID
    recipient: str
    routing_key: str
    person_key: str
    envelope: dict[str, Any]  # the Envelope without seq (filled in here)


@dataclass(frozen=True, kw_only=True)
class PendingPublication:
    """An outbox row the relay still has to publish."""

    id: int
    event_id: UUID
    routing_key: str
    person_key: str
    seq: int
    body: bytes
    traceparent: str | None


class Outbox:
    """Write and read outbox rows; bodies are sealed because they carry personal data."""

    def __init__(self, connection: Any, vault: MyNumberVault) -> None:
        self._connection: asyncpg.Connection[Any] = connection
        self._vault = vault

    async def add(
        self, messages: list[OutgoingMessage], *, traceparent: str | None, at: datetime
    ) -> None:
        """Store messages, giving each the next seq of its (recipient, person)."""
        for message in messages:
            seq = await self._connection.fetchval(NEXT_SEQ, message.recipient, message.person_key)
            body = json.dumps({**message.envelope, "seq": seq}, ensure_ascii=False)
            await self._connection.execute(
                INSERT,
                message.event_id,
                message.change_id,
                message.recipient,
                message.routing_key,
                message.person_key,
                seq,
                self._vault.seal(body, atena_no=str(message.event_id)),
                traceparent,
                at,
            )

    async def unpublished(self, limit: int) -> list[PendingPublication]:
        """Return the oldest unpublished rows, in id order."""
        records = await self._connection.fetch(UNPUBLISHED, limit)
        return [
            PendingPublication(
                id=r["id"],
                event_id=r["event_id"],
                routing_key=r["routing_key"],
                person_key=r["person_key"],
                seq=r["seq"],
                body=self._vault.open(r["sealed_body"], atena_no=str(r["event_id"])).encode(),
                traceparent=r["traceparent"],
            )
            for r in records
        ]

    async def mark_published(self, ids: list[int], *, at: datetime) -> None:
        """Mark rows as published (only after the broker confirmed them)."""
        await self._connection.execute(MARK_PUBLISHED, ids, at)
