"""Store changes (異動) and their approval state in registry.changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import TypeAdapter

from registry.domain.changes import Change, ChangeStatus
from registry.domain.commands import ChangeRequest

_REQUEST = TypeAdapter[ChangeRequest](ChangeRequest)

INSERT_CHANGE = """
INSERT INTO registry.changes
    (change_id, kind, status, occurred_on, notified_on, request, terminal, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
"""

SELECT_CHANGE = "SELECT * FROM registry.changes WHERE change_id = $1"

SELECT_CHANGE_FOR_UPDATE = SELECT_CHANGE + " FOR UPDATE"

UPDATE_DECISION = """
UPDATE registry.changes
   SET status = $2, decided_by = $3, decided_at = $4, subjects = $5
 WHERE change_id = $1
"""

SELECT_CHANGES = """
SELECT * FROM registry.changes
 WHERE ($1::text IS NULL OR status = $1)
   AND ($2::text IS NULL OR created_by = $2)
   AND ($3::text IS NULL OR $3 = ANY (subjects))
 ORDER BY created_at, change_id
 LIMIT $4 OFFSET $5
"""


def _change_from_record(record: Mapping[str, Any]) -> Change:
    return Change(
        change_id=record["change_id"],
        request=_REQUEST.validate_python(record["request"]),
        status=ChangeStatus(record["status"]),
        created_by=record["created_by"],
        created_at=record["created_at"],
        terminal=record["terminal"],
        decided_by=record["decided_by"],
        decided_at=record["decided_at"],
        subjects=tuple(record["subjects"]),
    )


class ChangeRepository:
    """Read and write changes on the unit of work's connection."""

    def __init__(self, connection: asyncpg.Connection[Any]) -> None:
        self._connection = connection

    async def add(self, change: Change) -> None:
        """Store a newly entered change (仮登録)."""
        request = change.request
        await self._connection.execute(
            INSERT_CHANGE,
            change.change_id,
            request.kind.value,
            change.status.value,
            request.occurred_on.to_storage(),
            request.notified_on,
            # only what was entered: a 修正 patch must not come back with every item "set" to null
            _REQUEST.dump_python(request, mode="json", exclude_unset=True),
            change.terminal,
            change.created_by,
            change.created_at,
        )

    async def get(self, change_id: UUID, *, for_update: bool = False) -> Change | None:
        """Return a change, locking it when it is about to be decided."""
        query = SELECT_CHANGE_FOR_UPDATE if for_update else SELECT_CHANGE
        record = await self._connection.fetchrow(query, change_id)
        return None if record is None else _change_from_record(record)

    async def save_decision(self, change: Change) -> None:
        """Record the approval of a change (本登録) and who it touched."""
        await self._connection.execute(
            UPDATE_DECISION,
            change.change_id,
            change.status.value,
            change.decided_by,
            change.decided_at,
            list(change.subjects),
        )

    async def list(
        self,
        *,
        status: ChangeStatus | None,
        created_by: str | None,
        atena_no: str | None,
        limit: int,
        offset: int,
    ) -> list[Change]:
        """List changes oldest first, filtered by state, maker or person."""
        records = await self._connection.fetch(
            SELECT_CHANGES, status, created_by, atena_no, limit, offset
        )
        return [_change_from_record(r) for r in records]
