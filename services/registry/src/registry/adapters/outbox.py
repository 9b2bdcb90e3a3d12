"""The transactional outbox (registry.outbox): add in the approval's transaction, read for the relay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from jumin_contracts.envelope import Envelope
from jumin_platform.my_number_vault import MyNumberVault

from registry.domain.changes import Change
from registry.domain.projection import ProjectedMessage

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
        self,
        messages: list[ProjectedMessage],
        *,
        change: Change,
        recorded_at: datetime,
        traceparent: str | None,
    ) -> None:
        """Store each message in its envelope with the next seq of its (recipient, person)."""
        for message in messages:
            seq = await self._connection.fetchval(NEXT_SEQ, message.recipient, message.person_key)
            envelope = Envelope.wrap(
                message.payload,
                change_id=change.change_id,
                person_key=message.person_key,
                seq=seq,
                kind=change.request.kind,
                occurred_on=change.request.occurred_on.to_storage(),
                notified_on=change.request.notified_on,
                recorded_at=recorded_at,
            )
            body = envelope.model_dump_json(by_alias=True)
            await self._connection.execute(
                INSERT,
                envelope.event_id,
                change.change_id,
                message.recipient,
                message.routing_key,
                message.person_key,
                seq,
                self._vault.seal(body, atena_no=str(envelope.event_id)),
                traceparent,
                recorded_at,
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
