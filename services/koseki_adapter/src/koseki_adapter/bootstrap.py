"""Composition root: build settings, the pool, the 戸籍附票システム client, the kit and loops once.

One process runs everything (`jumin-koseki-adapter serve`): the consumer kit on `koseki.*`, the
poller of the 戸籍 side's notices (→ registry commands), the scheduled 整合性確認 and the operator
API, started and stopped by the FastAPI lifespan.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import httpx
from jumin_contracts.messages import MESSAGE_MODELS
from jumin_platform.access_log import AccessLog
from jumin_platform.access_logging import Appender
from jumin_platform.adapter_lifespan import lifespan_of
from jumin_platform.adapter_runtime import AdapterRuntime, Loop, scheduled_check, ward_now
from jumin_platform.consumer import ConsumerKit
from jumin_platform.db import create_pool
from jumin_platform.inbound.publisher import CommandPublisher
from jumin_platform.topology import Topology, topology_from_env

from koseki_adapter.adapters.fuhyo_client import FuhyoClient
from koseki_adapter.adapters.fuhyo_reads import FuhyoReads
from koseki_adapter.config import SCHEMA, Settings
from koseki_adapter.service_layer.consistency import run_check
from koseki_adapter.service_layer.delivery import FuhyoDelivery
from koseki_adapter.service_layer.inbound import KosekiPoller, koseki_poller
from koseki_adapter.service_layer.unit_of_work import UnitOfWork

RECIPIENT = "koseki"
ACCESS_LOG = AccessLog(f"{SCHEMA}.access_log")
"""アクセスログ of the operator API (spec 10.2), hash-chained."""


@dataclass(frozen=True, kw_only=True)
class Overrides:
    """What tests replace: the 戸籍附票システム behind an in-process transport, the topology."""

    fuhyo_transport: httpx.AsyncBaseTransport | None = None
    topology: Topology | None = None


@dataclass(kw_only=True)
class KosekiAdapter(AdapterRuntime):
    """Everything the running adapter holds (kit, publisher, pool: `AdapterRuntime`)."""

    settings: Settings
    fuhyo: FuhyoClient
    reads: FuhyoReads
    poller: KosekiPoller
    access_log: Appender = ACCESS_LOG

    def loops(self) -> Iterator[Loop]:
        """The poller of the 戸籍 side's notices, then the scheduled 整合性確認."""
        yield Loop("koseki-notifications", self.poller.run)
        every = self.settings.consistency_check_interval
        yield from scheduled_check("koseki-consistency", self.consistency_check, every=every)

    async def consistency_check(self, operator: str, started_at: datetime) -> dict[str, Any]:
        """Run one 整合性確認 against the 附票 and store its result."""
        return await run_check(
            self.uow,
            self.reads,
            operator=operator,
            started_at=started_at,
            page=self.settings.consistency_page_size,
        )

    def uow(self) -> UnitOfWork:
        """Start a new unit of work on the adapter's pool."""
        return UnitOfWork(self.pool)


async def open_adapter(settings: Settings, overrides: Overrides | None = None) -> KosekiAdapter:
    """Build the adapter (its pool is open; nothing consumes until `start`)."""
    overrides = overrides or Overrides()
    pool = await create_pool(
        settings.database_url.get_secret_value(), max_size=settings.pool_max_size
    )
    fuhyo = FuhyoClient(
        base_url=settings.fuhyo_base_url,
        timeout=settings.fuhyo_timeout,
        municipality_code=settings.municipality_code,
        transport=overrides.fuhyo_transport,
    )
    uow = partial(UnitOfWork, pool)
    kit = ConsumerKit(
        recipient=RECIPIENT,
        schema=SCHEMA,
        amqp_url=settings.amqp_url.get_secret_value(),
        database_url=settings.database_url.get_secret_value(),
        handler=FuhyoDelivery(fuhyo=fuhyo, uow=uow),
        models=MESSAGE_MODELS,
        topology=overrides.topology or topology_from_env(),
        prefetch=settings.prefetch,
    )
    reads = FuhyoReads(fuhyo)
    publisher = CommandPublisher(settings.amqp_url.get_secret_value())
    poller = koseki_poller(
        uow=uow, reads=reads, publisher=publisher, interval=settings.poll_interval, clock=ward_now
    )
    return KosekiAdapter(
        pool=pool,
        kit=kit,
        publisher=publisher,
        clients=(fuhyo,),
        settings=settings,
        fuhyo=fuhyo,
        reads=reads,
        poller=poller,
    )


adapter_lifespan = lifespan_of(open_adapter, name="koseki_adapter")
"""Open and start the adapter with the app; stop it when the app stops."""
