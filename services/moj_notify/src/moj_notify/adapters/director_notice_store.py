"""SQL over the 長官通知 taken in: published, kept for staff (特別永住者, invalid), imported by hand."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from uuid import UUID

from jumin_platform.db import AnyConnection

from moj_notify.domain.director_notices import DirectorNoticeHeader

__all__ = ["NOT_IMPORTED", "DirectorNoticeStore"]

NOT_IMPORTED: Final = ("by_hand", "invalid")
"""Statuses of a 長官通知 nobody has imported yet (the registry got no command for it)."""

ADD: Final = """
INSERT INTO moj_notify.director_notices
    (notification_id, notice_no, kind, notice_date, effective_date, special_permanent, status,
     command_id, detail, body, trace_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (notification_id) DO NOTHING
"""
SUMMARY: Final = """
notification_id, notice_no, kind, notice_date, effective_date, special_permanent, status,
command_id, detail, received_at, trace_id, imported_at, imported_by, import_note
"""
LIST: Final = f"""
SELECT {SUMMARY} FROM moj_notify.director_notices
WHERE ($1::text[] IS NULL OR status = ANY($1::text[]))
ORDER BY received_at, notification_id LIMIT $2
"""
ONE: Final = f"SELECT {SUMMARY}, body FROM moj_notify.director_notices WHERE notification_id = $1"
MARK_IMPORTED: Final = """
UPDATE moj_notify.director_notices
SET status = 'imported_by_hand', imported_at = now(), imported_by = $2, import_note = $3
WHERE notification_id = $1 AND status = ANY($4::text[])
RETURNING notification_id
"""


class DirectorNoticeStore:
    """The 長官通知 records on one connection."""

    def __init__(self, connection: AnyConnection) -> None:
        self._c = connection

    async def add(
        self,
        notification_id: UUID,
        header: DirectorNoticeHeader,
        *,
        status: str,
        command_id: UUID | None,
        detail: str | None,
        body: Mapping[str, Any],
        trace_id: str | None,
    ) -> None:
        """Record a 長官通知 taken in (a replay of the same feed item changes nothing)."""
        await self._c.execute(
            ADD,
            notification_id,
            header.notice_no,
            header.kind,
            header.notice_date,
            header.effective_date,
            header.special_permanent,
            status,
            command_id,
            detail,
            dict(body),
            trace_id,
        )

    async def listed(self, statuses: tuple[str, ...] | None, limit: int) -> list[dict[str, Any]]:
        chosen = list(statuses) if statuses is not None else None
        return [dict(row) for row in await self._c.fetch(LIST, chosen, limit)]

    async def one(self, notification_id: UUID) -> dict[str, Any] | None:
        row = await self._c.fetchrow(ONE, notification_id)
        return None if row is None else dict(row)

    async def mark_imported(self, notification_id: UUID, *, operator: str, note: str) -> bool:
        """Record that staff imported it by hand; False when it was not waiting for that."""
        done = await self._c.fetchval(
            MARK_IMPORTED, notification_id, operator, note, list(NOT_IMPORTED)
        )
        return done is not None
