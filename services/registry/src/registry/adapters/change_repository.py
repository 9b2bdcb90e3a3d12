"""Store changes (異動) and their approval state in registry.changes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from jumin_platform.my_number_vault import MyNumberVault, is_sealed
from pydantic import TypeAdapter

from registry.domain.change_requests import ChangeRequest
from registry.domain.changes import Change, ChangeOrigin, ChangeStatus

_REQUEST = TypeAdapter[ChangeRequest](ChangeRequest)

INSERT_CHANGE = """
INSERT INTO registry.changes
    (change_id, kind, status, occurred_on, notified_on, request, terminal, created_by, created_at,
     subjects, origin)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
"""

SELECT_CHANGE = "SELECT * FROM registry.changes WHERE change_id = $1"

SELECT_CHANGE_FOR_UPDATE = SELECT_CHANGE + " FOR UPDATE"

UPDATE_REQUEST = """
UPDATE registry.changes
   SET kind = $2, occurred_on = $3, notified_on = $4, request = $5, revision = $6, subjects = $7
 WHERE change_id = $1 AND status = 'pending'
"""

UPDATE_DECISION = """
UPDATE registry.changes
   SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5,
       withdrawn_by = $6, withdrawn_at = $7, subjects = $8
 WHERE change_id = $1 AND status = 'pending'
"""

SELECT_CHANGES = """
SELECT * FROM registry.changes
 WHERE ($1::text IS NULL OR status = $1)
   AND ($2::text IS NULL OR created_by = $2)
   AND ($3::text IS NULL OR subjects @> ARRAY[$3::text])
   AND ($4::text IS NULL OR terminal = $4)
 ORDER BY created_at, change_id
 LIMIT $5 OFFSET $6
"""

CANCELLATIONS_SINCE = """
SELECT request FROM registry.changes
 WHERE kind = 'cancellation' AND status = 'approved' AND decided_at >= $1
"""

# 出生 changes (pending or approved) of a child born on a day into one of some households: the
# names of the children they enter, for telling a 出生 notice already entered at the counter.
BIRTHS_INTO = """
SELECT p ->> 'family_name' AS family_name, p ->> 'given_name' AS given_name
  FROM registry.changes c, jsonb_array_elements(c.request -> 'persons') AS p
 WHERE c.kind = 'birth' AND c.status IN ('pending', 'approved')
   AND c.request ->> 'join_household_no' = ANY ($1::text[])
   AND p ->> 'birth_date' = $2
"""

SELECT_OLDEST_FIRST = """
SELECT change_id FROM registry.changes WHERE change_id = ANY ($1::uuid[])
 ORDER BY created_at, change_id
"""


@dataclass(frozen=True, kw_only=True)
class ChangeFilter:
    """Select changes by state, maker, person or terminal (仮登録一覧の絞り込み)."""

    status: ChangeStatus | None = None
    created_by: str | None = None
    atena_no: str | None = None
    terminal: str | None = None


def _seal_request(data: dict[str, Any], change_id: UUID, vault: MyNumberVault) -> dict[str, Any]:
    """Seal each 個人番号 in a stored request, bound to the change (its people have no number yet)."""
    for person in [data, *data.get("persons", [])]:  # 個人番号の職権記載 holds it at the top
        if person.get("my_number"):
            person["my_number"] = vault.seal(person["my_number"], atena_no=str(change_id))
    return data


def _open_request(data: dict[str, Any], change_id: UUID, vault: MyNumberVault | None) -> Any:
    for person in [data, *data.get("persons", [])]:
        if person.get("my_number") and is_sealed(person["my_number"]):
            if vault is None:
                raise RuntimeError("reading an entered 個人番号 needs the vault")
            person["my_number"] = vault.open(person["my_number"], atena_no=str(change_id))
    return data


def _change_from_record(record: Mapping[str, Any], vault: MyNumberVault | None) -> Change:
    request = _open_request(dict(record["request"]), record["change_id"], vault)
    return Change(
        change_id=record["change_id"],
        request=_REQUEST.validate_python(request),
        status=ChangeStatus(record["status"]),
        created_by=record["created_by"],
        created_at=record["created_at"],
        terminal=record["terminal"],
        revision=record["revision"],
        decided_by=record["decided_by"],
        decided_at=record["decided_at"],
        decision_reason=record["decision_reason"],
        withdrawn_by=record["withdrawn_by"],
        withdrawn_at=record["withdrawn_at"],
        subjects=tuple(record["subjects"]),
        origin=ChangeOrigin(record["origin"]),
    )


class ChangeRepository:
    """Read and write changes on the unit of work's connection."""

    def __init__(
        self, connection: asyncpg.Connection[Any], vault: MyNumberVault | None = None
    ) -> None:
        """Wrap a connection; the vault seals and opens 個人番号 in entered requests."""
        self._connection = connection
        self._vault = vault

    def _stored_request(self, change: Change) -> dict[str, Any]:
        # only what was entered: a 修正 patch must not come back with every item "set" to null
        data = _REQUEST.dump_python(change.request, mode="json", exclude_unset=True)
        if self._vault is None:
            raise RuntimeError("storing a change needs the 個人番号 vault")
        return _seal_request(data, change.change_id, self._vault)

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
            self._stored_request(change),
            change.terminal,
            change.created_by,
            change.created_at,
            list(change.subjects),
            change.origin.value,
        )

    async def get(self, change_id: UUID, *, for_update: bool = False) -> Change | None:
        """Return a change, locking it when it is about to be decided."""
        query = SELECT_CHANGE_FOR_UPDATE if for_update else SELECT_CHANGE
        record = await self._connection.fetchrow(query, change_id)
        return None if record is None else _change_from_record(record, self._vault)

    async def save_revision(self, change: Change) -> None:
        """Store a corrected pending request (仮登録の修正)."""
        request = change.request
        await self._connection.execute(
            UPDATE_REQUEST,
            change.change_id,
            request.kind.value,
            request.occurred_on.to_storage(),
            request.notified_on,
            self._stored_request(change),
            change.revision,
            list(change.subjects),
        )

    async def save_decision(self, change: Change) -> None:
        """Record a decision (本登録・却下) or withdrawal (取下げ) and who it touched."""
        await self._connection.execute(
            UPDATE_DECISION,
            change.change_id,
            change.status.value,
            change.decided_by,
            change.decided_at,
            change.decision_reason,
            change.withdrawn_by,
            change.withdrawn_at,
            list(change.subjects),
        )

    async def cancelled_since(self, since: datetime) -> set[UUID]:
        """Return the changes that approved 取消し decided since a time have cancelled."""
        cancelled: set[UUID] = set()
        for record in await self._connection.fetch(CANCELLATIONS_SINCE, since):
            request = record["request"]
            cancelled.add(UUID(request["target_change_id"]))
            cancelled |= {UUID(c) for c in request.get("also_cancel", [])}
        return cancelled

    async def births_into(
        self, household_nos: Sequence[str], *, birth_date: str
    ) -> list[tuple[str, str]]:
        """Return (氏, 名) of the children pending or approved 出生 changes enter into these
        households with this 生年月日 (storage form)."""
        records = await self._connection.fetch(BIRTHS_INTO, list(household_nos), birth_date)
        return [(r["family_name"], r["given_name"]) for r in records]

    async def oldest_first(self, change_ids: Sequence[UUID]) -> list[UUID]:
        """Return those of the ids that exist, in the order they were entered."""
        records = await self._connection.fetch(SELECT_OLDEST_FIRST, list(change_ids))
        return [r["change_id"] for r in records]

    async def list(self, selection: ChangeFilter, *, limit: int, offset: int) -> list[Change]:
        """List changes oldest first."""
        records = await self._connection.fetch(
            SELECT_CHANGES,
            selection.status,
            selection.created_by,
            selection.atena_no,
            selection.terminal,
            limit,
            offset,
        )
        return [_change_from_record(r, self._vault) for r in records]
