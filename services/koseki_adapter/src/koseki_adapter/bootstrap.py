"""Composition root: build settings, the pool, the 戸籍附票システム client, the kit and loops once.

One process runs everything (`jumin-koseki-adapter serve`): the consumer kit on `koseki.*` and
the operator API, started and stopped by the FastAPI lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from jumin_contracts.messages import MESSAGE_MODELS
from jumin_platform.access_log import AccessLog
from jumin_platform.access_logging import Appender
from jumin_platform.adapter_lifespan import lifespan_of
from jumin_platform.consumer import ConsumerKit
from jumin_platform.db import create_pool
from jumin_platform.topology import Topology, topology_from_env

from koseki_adapter.adapters.fuhyo_client import FuhyoClient
from koseki_adapter.config import SCHEMA, Settings
from koseki_adapter.service_layer.delivery import FuhyoDelivery
from koseki_adapter.service_layer.unit_of_work import UnitOfWork

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
    access_log: Appender = ACCESS_LOG
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        """Start consuming (the background loops, once there are any, start here too)."""
        await self.kit.start()

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
    kit = ConsumerKit(
        recipient=RECIPIENT,
        schema=SCHEMA,
        amqp_url=settings.amqp_url.get_secret_value(),
        database_url=settings.database_url.get_secret_value(),
        handler=FuhyoDelivery(fuhyo=fuhyo, uow=partial(UnitOfWork, pool)),
        models=MESSAGE_MODELS,
        topology=overrides.topology or topology_from_env(),
        prefetch=settings.prefetch,
    )
    return KosekiAdapter(settings, pool, fuhyo, kit)


adapter_lifespan = lifespan_of(open_adapter, name="koseki_adapter")
"""Open and start the adapter with the app; stop it when the app stops."""
