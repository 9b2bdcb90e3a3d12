"""長官通知の取込 (住基法30条の50): record each one; list those not imported; mark hand imports.

A published notice becomes a **pending** 職権修正/職権消除 at the registry (maker `system:moj`),
which a clerk checks against its before/after view (処理結果確認票: the registry's pending change)
and a reviewer approves. A 特別永住者's notice and one that did not fit are not sent: staff import
them by hand and mark them here. The registry does not answer a command, so what it refused
(its command inbox: `refused`, `unmatched`) is not seen here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol
from uuid import UUID

from jumin_contracts.commands import RegistryCommand
from jumin_platform.inbound.notifications import Kept, Notification
from jumin_platform.inbound.poller import Plan
from jumin_platform.telemetry import current_trace_id

from moj_notify.adapters.director_notice_store import NOT_IMPORTED, DirectorNoticeStore
from moj_notify.domain.director_notices import header_of

__all__ = ["NoticeNotWaiting", "mark_imported", "not_imported", "take_director_notice"]

logger = logging.getLogger("moj_notify.director_notices")


class NoticesUnit(Protocol):
    @property
    def director_notices(self) -> DirectorNoticeStore: ...
    async def commit(self) -> None: ...


NoticesUnits = Callable[[], AbstractAsyncContextManager[NoticesUnit]]


class NoticeNotWaiting(LookupError):
    """No 長官通知 with that id waits for a hand import (→ 404 or 409)."""


async def take_director_notice(unit: NoticesUnit, item: Notification, planned: Plan) -> None:
    """Record a 長官通知 taken in, with what became of it (same transaction as the cursor)."""
    if isinstance(planned, RegistryCommand):
        status, command_id, detail = "published", planned.command_id, None
    elif isinstance(planned, Kept):
        status, command_id, detail = "by_hand", None, planned.detail
    else:
        status, command_id, detail = "invalid", None, planned.detail
    await unit.director_notices.add(
        item.notification_id,
        header_of(item.body),
        status=status,
        command_id=command_id,
        detail=detail,
        body=item.body,
        trace_id=current_trace_id(),
    )


async def not_imported(uow: NoticesUnits, limit: int) -> list[dict[str, Any]]:
    """Every 長官通知 nobody has imported yet, whatever its date (oldest first)."""
    async with uow() as unit:
        return await unit.director_notices.listed(NOT_IMPORTED, limit)


async def mark_imported(
    uow: NoticesUnits, notification_id: UUID, *, operator: str, reason: str
) -> None:
    """Record that staff imported a 長官通知 by hand (it leaves the not-imported list)."""
    async with uow() as unit:
        if not await unit.director_notices.mark_imported(
            notification_id, operator=operator, note=reason
        ):
            raise NoticeNotWaiting(notification_id)
        await unit.commit()
    logger.info("director notice %s imported by hand by %s", notification_id, operator)
