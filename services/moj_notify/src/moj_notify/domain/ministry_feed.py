"""What each item of the 連携サーバ's feed becomes (pure).

`GET /moj/v1/notifications` carries two types: a `processing_result` (処理結果) is kept for the
results import (`Kept(ProcessingResult)`); a `director_notice` (長官通知) becomes a
`registry.moj_notice` command, or is kept for staff (特別永住者). Anything else is `ignored`; a
body that does not fit `invalid`, naming the item only.
"""

from __future__ import annotations

from datetime import datetime

from jumin_platform.inbound.notifications import Kept, Notification, Skipped
from jumin_platform.inbound.poller import Plan, ToCommand

from moj_notify.domain.director_notices import (
    DIRECTOR_NOTICE,
    NationalityName,
    plan_director_notice,
)
from moj_notify.domain.results import PROCESSING_RESULT, BadResult, result_from

__all__ = ["feed_plan"]


def feed_plan(nationality_name: NationalityName) -> ToCommand:
    """The poller's mapping, with the nationality table 長官通知 are read through."""

    def plan(notification: Notification, *, now: datetime) -> Plan:
        if notification.type == PROCESSING_RESULT:
            return _result(notification)
        if notification.type == DIRECTOR_NOTICE:
            return plan_director_notice(notification, now=now, nationality_name=nationality_name)
        return Skipped("ignored", f"notification type {notification.type!r} is not taken in")

    return plan


def _result(notification: Notification) -> Kept | Skipped:
    try:
        result = result_from(notification.notification_id, notification.body)
    except BadResult as exc:
        return Skipped("invalid", f"{PROCESSING_RESULT}: {exc} is missing or malformed")
    return Kept(result, f"{PROCESSING_RESULT} {result.receipt_no} {result.result}")
