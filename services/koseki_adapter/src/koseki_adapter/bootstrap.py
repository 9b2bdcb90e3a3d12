"""Composition root: build settings, the pool, the 戸籍附票システム client, the kit and loops once.

One process runs everything (`jumin-koseki-adapter serve`): the consumer kit on `koseki.*`, the
poller of the 戸籍 side's notices (→ registry commands), the scheduled 整合性確認 and the operator
API, started and stopped by the FastAPI lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from fastapi import FastAPI
from jumin_contracts.messages import MESSAGE_MODELS
from jumin_platform.access_log import AccessLog
from jumin_platform.access_logging import Appender
from jumin_platform.consistency.checks import run_periodically
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

logger = logging.getLogger("koseki_adapter")

RECIPIENT = "koseki"
WARD_TIME = ZoneInfo("Asia/Tokyo")
ACCESS_LOG = AccessLog(f"{SCHEMA}.access_log")
"""アクセスログ of the operator API (spec 10.2), hash-chained."""


def ward_now() -> datetime:
    """Return the current time in Japan time."""
    return datetime.now(UTC).astimezone(WARD_TIME)


@dataclass(frozen=True, kw_only=True)
class Overrides:
    """What tests replace: the 戸籍附票システム behind an in-process transport, the topology."""

    fuhyo_transport: httpx.AsyncBaseTransport | None = None
    topology: Topology | None = None


@dataclass
class KosekiAdapter:
    """Everything the running adapter holds."""

    settings: Settings
    pool: asyncpg.Pool[Any]
    fuhyo: FuhyoClient
    kit: ConsumerKit
    reads: FuhyoReads
    publisher: CommandPublisher
    poller: KosekiPoller
    access_log: Appender = ACCESS_LOG
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        """Connect the publisher, start consuming, then the poller and the scheduled 整合性確認."""
        await self.publisher.start()
        await self.kit.start()
        self.tasks = [asyncio.create_task(self.poller.run(), name="koseki-notifications")]
        every = self.settings.consistency_check_interval
        if every > 0:
            checks = run_periodically(self.consistency_check, every=every, clock=ward_now)
            self.tasks.append(asyncio.create_task(checks, name="koseki-consistency"))

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

    async def close(self) -> None:
        """Stop the loops and the consumer; close the client and the pool."""
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            await self.kit.stop()
        finally:
            with contextlib.suppress(Exception):
                await self.publisher.stop()
            await self.fuhyo.aclose()
            await self.pool.close()


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
    return KosekiAdapter(settings, pool, fuhyo, kit, reads, publisher, poller)


@asynccontextmanager
async def adapter_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open and start the adapter with the app; stop it when the app stops."""
    adapter = await open_adapter(app.state.settings, app.state.overrides)
    try:
        await adapter.start()
    except BaseException:
        await adapter.close()
        raise
    app.state.adapter = adapter
    logger.info("koseki_adapter running")
    try:
        yield
    finally:
        app.state.adapter = None
        await adapter.close()
