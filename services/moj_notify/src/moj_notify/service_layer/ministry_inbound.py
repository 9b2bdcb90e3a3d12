"""Take the ministry's feed in: 処理結果 to the results import, 長官通知 to the registry.

`jumin_platform.inbound.poller.NotificationPoller` polls GET /moj/v1/notifications after the
stored cursor; `domain.ministry_feed` says what each item becomes. A 長官通知 is published as
`registry.moj_notice` (confirms, under the feed item's trace), then recorded with the cursor; a
処理結果 publishes nothing: `take_result` acts on it in the cursor's transaction, so it is taken
in exactly once, even across restarts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from jumin_platform.inbound import poller
from jumin_platform.inbound.notifications import Kept, Notification
from jumin_platform.inbound.poller import NotificationPoller, Plan
from jumin_platform.inbound.publisher import CommandPublisher

from moj_notify.adapters.ministry_feed import FeedUnavailable, MinistryFeed
from moj_notify.domain.director_notices import DIRECTOR_NOTICE, NationalityName
from moj_notify.domain.ministry_feed import feed_plan
from moj_notify.domain.results import ProcessingResult
from moj_notify.service_layer.director_notices import NoticesUnit, take_director_notice
from moj_notify.service_layer.results import ResultsUnit, take_result

__all__ = ["InboundUnit", "ministry_poller"]


class InboundUnit(poller.InboundUnit, ResultsUnit, NoticesUnit, Protocol):
    """The adapter's unit of work as the poller uses it: cursor, results, 長官通知."""


U = TypeVar("U", bound=InboundUnit)


async def on_taken(unit: InboundUnit, item: Notification, planned: Plan) -> None:
    """Record what the feed item became (same transaction as the cursor)."""
    if isinstance(planned, Kept) and isinstance(planned.item, ProcessingResult):
        await take_result(unit, planned.item)
    elif item.type == DIRECTOR_NOTICE:
        await take_director_notice(unit, item, planned)


def ministry_poller(
    *,
    uow: Callable[[], U],
    feed: MinistryFeed,
    publisher: CommandPublisher,
    nationality_name: NationalityName,
    interval: float,
    clock: Callable[[], datetime],
) -> NotificationPoller[U]:
    """The poller of the 連携サーバ's feed."""
    return NotificationPoller(
        source="moj",
        uow=uow,
        fetch=lambda after, limit: feed.notifications(after=after, limit=limit),
        to_command=feed_plan(nationality_name),
        publish=publisher.publish,
        unavailable=FeedUnavailable,
        interval=interval,
        clock=clock,
        on_taken=on_taken,
    )
