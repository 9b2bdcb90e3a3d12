"""The 連携サーバ's feed of what the ministry sends the ward: 処理結果 and 長官通知.

`GET /moj/v1/notifications?after=&limit=` (simulators/moj_simulator/INTERFACE.md), the other
systems' cursor-feed format, read through the service's traced HTTP client (path only on the
span). A failure raises `FeedUnavailable`, naming the call and the status only.
"""

from __future__ import annotations

from typing import Final

from jumin_platform.inbound.notifications import Notification
from jumin_platform.inbound.reads import Get, feed_page

__all__ = ["FeedUnavailable", "MinistryFeed"]

SYSTEM: Final = "連携サーバ"
NOTIFICATIONS_PATH: Final = "/moj/v1/notifications"


class FeedUnavailable(Exception):
    """The 連携サーバ did not answer the feed usefully (no personal data in the text)."""


class MinistryFeed:
    """Read the ministry's notifications after a cursor, in cursor order."""

    def __init__(self, get: Get) -> None:
        self._get = get

    async def notifications(self, *, after: int, limit: int) -> list[Notification]:
        return await feed_page(
            self._get,
            NOTIFICATIONS_PATH,
            after=after,
            limit=limit,
            system=SYSTEM,
            error=FeedUnavailable,
        )
