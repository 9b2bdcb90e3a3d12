"""Store staff work items (registry.work_items) from the 戸籍 side's notices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from registry.domain.work_items import Resolution, WorkItem, WorkItemKind, WorkItemStatus

INSERT_WORK_ITEM = """
INSERT INTO registry.work_items
    (work_item_id, kind, atena_no, command_id, notification_id, received_at, differing_items,
     stated)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""

SELECT_WORK_ITEM = "SELECT * FROM registry.work_items WHERE work_item_id = $1"

SELECT_WORK_ITEM_FOR_UPDATE = SELECT_WORK_ITEM + " FOR UPDATE"

SELECT_WORK_ITEMS = """
SELECT * FROM registry.work_items
 WHERE ($1::text IS NULL OR status = $1)
   AND ($2::text IS NULL OR kind = $2)
   AND ($3::text IS NULL OR atena_no = $3)
 ORDER BY received_at, work_item_id
 LIMIT $4 OFFSET $5
"""

RESOLVE_WORK_ITEM = """
UPDATE registry.work_items
   SET status = $2, resolution = $3, correction_change_id = $4, resolved_by = $5,
       resolved_at = $6, resolution_reason = $7
 WHERE work_item_id = $1 AND status = 'open'
"""


@dataclass(frozen=True, kw_only=True)
class WorkItemFilter:
    """Select work items by state, kind or person (作業一覧の絞り込み)."""

    status: WorkItemStatus | None = None
    kind: WorkItemKind | None = None
    atena_no: str | None = None


def _work_item(record: Mapping[str, Any]) -> WorkItem:
    resolution = record["resolution"]
    return WorkItem(
        work_item_id=record["work_item_id"],
        kind=WorkItemKind(record["kind"]),
        atena_no=record["atena_no"],
        command_id=record["command_id"],
        notification_id=record["notification_id"],
        received_at=record["received_at"],
        differing_items=tuple(record["differing_items"]),
        stated=dict(record["stated"]),
        status=WorkItemStatus(record["status"]),
        resolution=None if resolution is None else Resolution(resolution),
        correction_change_id=record["correction_change_id"],
        resolved_by=record["resolved_by"],
        resolved_at=record["resolved_at"],
        resolution_reason=record["resolution_reason"],
    )


class WorkItemRepository:
    """Read and write work items on the unit of work's connection."""

    def __init__(self, connection: asyncpg.Connection[Any]) -> None:
        self._connection = connection

    async def add(self, item: WorkItem) -> None:
        """Store a new, open work item."""
        await self._connection.execute(
            INSERT_WORK_ITEM,
            item.work_item_id,
            item.kind.value,
            item.atena_no,
            item.command_id,
            item.notification_id,
            item.received_at,
            list(item.differing_items),
            dict(item.stated),
        )

    async def get(self, work_item_id: UUID, *, for_update: bool = False) -> WorkItem | None:
        """Return a work item, locking it when it is about to be resolved."""
        query = SELECT_WORK_ITEM_FOR_UPDATE if for_update else SELECT_WORK_ITEM
        record = await self._connection.fetchrow(query, work_item_id)
        return None if record is None else _work_item(record)

    async def list(self, selection: WorkItemFilter, *, limit: int, offset: int) -> list[WorkItem]:
        """List work items oldest first."""
        records = await self._connection.fetch(
            SELECT_WORK_ITEMS,
            selection.status,
            selection.kind,
            selection.atena_no,
            limit,
            offset,
        )
        return [_work_item(r) for r in records]

    async def save_resolution(self, item: WorkItem) -> None:
        """Record how an open work item was resolved."""
        await self._connection.execute(
            RESOLVE_WORK_ITEM,
            item.work_item_id,
            item.status.value,
            None if item.resolution is None else item.resolution.value,
            item.correction_change_id,
            item.resolved_by,
            item.resolved_at,
            item.resolution_reason,
        )
