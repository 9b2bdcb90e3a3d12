"""Composition root: build settings, the pool, the 連携サーバ client, the kit and loops once.

One process runs everything (`jumin-moj-notify serve`): the consumer kit on `moj.*` (it puts
each event's notices on the schedule), the dispatcher that sends them, the loops of the inbound
side (処理結果, 長官通知: `MojNotify.loops`) and the operator API, started and stopped by the FastAPI
lifespan.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx
from jumin_contracts.messages import MESSAGE_MODELS
from jumin_platform.access_log import AccessLog
from jumin_platform.access_logging import Appender
from jumin_platform.adapter_lifespan import lifespan_of
from jumin_platform.adapter_runtime import WARD_TIME, AdapterRuntime, Loop
from jumin_platform.consumer import ConsumerKit
from jumin_platform.db import create_pool, listener_on
from jumin_platform.inbound.poller import NotificationPoller
from jumin_platform.inbound.publisher import CommandPublisher
from jumin_platform.topology import Topology, topology_from_env

from moj_notify.adapters.ministry_feed import MinistryFeed
from moj_notify.adapters.moj_client import MojClient
from moj_notify.config import SCHEMA, Settings
from moj_notify.domain.nationalities import nationality_name
from moj_notify.service_layer.dispatch import Clock, Dispatcher
from moj_notify.service_layer.intake import schedule_notices
from moj_notify.service_layer.ministry_inbound import ministry_poller
from moj_notify.service_layer.unit_of_work import UnitOfWork

logger = logging.getLogger("moj_notify")

RECIPIENT = "moj"
ACCESS_LOG = AccessLog(f"{SCHEMA}.access_log")
"""アクセスログ of the operator API (spec 10.2), hash-chained."""


def offset_clock(offset: timedelta) -> Clock:
    """Return the clock: the system's, in Japan time, moved by `offset` (test/training only)."""
    return lambda: datetime.now(UTC).astimezone(WARD_TIME) + offset


@dataclass(frozen=True, kw_only=True)
class Overrides:
    """What tests replace: the ministry behind an in-process transport, the topology, the clock."""

    moj_transport: httpx.AsyncBaseTransport | None = None
    topology: Topology | None = None
    clock: Clock | None = None


@dataclass(kw_only=True)
class MojNotify(AdapterRuntime):
    """Everything the running service holds (kit, publisher, pool: `AdapterRuntime`)."""

    settings: Settings
    moj: MojClient
    dispatcher: Dispatcher
    feed: NotificationPoller[UnitOfWork]
    clock: Clock
    access_log: Appender = ACCESS_LOG

    def loops(self) -> Iterator[Loop]:
        """The dispatcher of the schedule and the poller of the ministry's feed."""
        yield Loop("moj-dispatch", self.dispatcher.run)
        yield Loop("moj-notifications", self.feed.run)

    @property
    def poller(self) -> Dispatcher:
        """What readiness asks whether the ministry was reachable (`adapter_health`)."""
        return self.dispatcher

    def uow(self) -> UnitOfWork:
        """Start a new unit of work on the service's pool."""
        return UnitOfWork(self.pool)


async def open_service(settings: Settings, overrides: Overrides | None = None) -> MojNotify:
    """Build the service (its pool is open; nothing consumes or sends until `start`)."""
    overrides = overrides or Overrides()
    clock = overrides.clock or offset_clock(settings.clock_offset)
    if settings.clock_offset:
        logger.warning("clock offset %s in effect (test and training only)", settings.clock_offset)
    pool = await create_pool(
        settings.database_url.get_secret_value(), max_size=settings.pool_max_size
    )
    moj = MojClient(
        base_url=settings.moj_base_url,
        timeout=settings.moj_timeout,
        municipality_code=settings.municipality_code,
        clock=clock,
        transport=overrides.moj_transport,
    )
    kit = ConsumerKit(
        recipient=RECIPIENT,
        schema=SCHEMA,
        amqp_url=settings.amqp_url.get_secret_value(),
        database_url=settings.database_url.get_secret_value(),
        handler=schedule_notices,
        models=MESSAGE_MODELS,
        topology=overrides.topology or topology_from_env(),
        prefetch=settings.prefetch,
    )
    dispatcher = Dispatcher(
        uow=partial(UnitOfWork, pool),
        sender=moj,
        clock=clock,
        listen=listener_on(pool),
        retry_first=settings.retry_first,
        retry_most=settings.retry_most,
        idle_wake=settings.idle_wake,
    )
    publisher = CommandPublisher(settings.amqp_url.get_secret_value())
    feed = ministry_poller(
        uow=partial(UnitOfWork, pool),
        feed=MinistryFeed(moj.get),
        publisher=publisher,
        nationality_name=nationality_name,
        interval=settings.poll_interval,
        clock=clock,
    )
    return MojNotify(
        pool=pool,
        kit=kit,
        publisher=publisher,
        clients=(moj,),
        settings=settings,
        moj=moj,
        dispatcher=dispatcher,
        feed=feed,
        clock=clock,
    )


service_lifespan = lifespan_of(open_service, name="moj_notify")
"""Open and start the service with the app; stop it when the app stops."""
