"""Composition root: build settings, pools, CS client, vault, kit, publisher and loops once.

One process runs everything (`jumin-cs-adapter serve`): the consumer kit on `cs.*`, the
notification poller, the free-code supply and the operator API, started and stopped by the
FastAPI lifespan.
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
from jumin_platform.db import create_pool, listener_on
from jumin_platform.inbound.publisher import CommandPublisher
from jumin_platform.my_number_vault import MyNumberVault, load_vault
from jumin_platform.topology import Topology, topology_from_env

from cs_adapter.adapters.cs_client import CsClient
from cs_adapter.config import SCHEMA, Settings
from cs_adapter.service_layer.code_supply import CodeSupply
from cs_adapter.service_layer.consistency import run_check
from cs_adapter.service_layer.delivery import CsDelivery
from cs_adapter.service_layer.notifications import CsPoller, cs_poller
from cs_adapter.service_layer.unit_of_work import UnitOfWork

logger = logging.getLogger("cs_adapter")

RECIPIENT = "cs"
WARD_TIME = ZoneInfo("Asia/Tokyo")
ACCESS_LOG = AccessLog(f"{SCHEMA}.access_log")
"""アクセスログ of the operator API (spec 10.2), hash-chained."""


def ward_now() -> datetime:
    """Return the current time in Japan time."""
    return datetime.now(UTC).astimezone(WARD_TIME)


@dataclass(frozen=True, kw_only=True)
class Overrides:
    """What tests replace: CS behind an in-process transport, the broker topology (vhost)."""

    cs_transport: httpx.AsyncBaseTransport | None = None
    topology: Topology | None = None


@dataclass
class CsAdapter:
    """Everything the running adapter holds."""

    settings: Settings
    pool: asyncpg.Pool[Any]
    cs: CsClient
    vault: MyNumberVault
    kit: ConsumerKit
    publisher: CommandPublisher
    poller: CsPoller
    supply: CodeSupply
    access_log: Appender = ACCESS_LOG
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        """Connect the publisher, start consuming, then the poller and the free-code supply."""
        await self.publisher.start()
        await self.kit.start()
        self.tasks = [
            asyncio.create_task(self.poller.run(), name="cs-notifications"),
            asyncio.create_task(self.supply.run(), name="cs-free-codes"),
        ]
        every = self.settings.consistency_check_interval
        if every > 0:
            checks = run_periodically(self.consistency_check, every=every, clock=ward_now)
            self.tasks.append(asyncio.create_task(checks, name="cs-consistency"))

    async def consistency_check(self, operator: str, started_at: datetime) -> dict[str, Any]:
        """Run one 整合性確認 against CS and store its result."""
        return await run_check(
            self.uow,
            self.cs,
            self.vault,
            operator=operator,
            started_at=started_at,
            page=self.settings.consistency_page_size,
        )

    def uow(self) -> UnitOfWork:
        """Start a new unit of work on the adapter's pool."""
        return UnitOfWork(self.pool)

    async def close(self) -> None:
        """Stop the loops, the consumer and the publisher; close the client and the pool."""
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
            await self.cs.aclose()
            await self.pool.close()


async def open_adapter(settings: Settings, overrides: Overrides | None = None) -> CsAdapter:
    """Build the adapter (its pool is open; nothing consumes until `start`)."""
    overrides = overrides or Overrides()
    vault = load_vault(settings.my_number_key_file)
    pool = await create_pool(
        settings.database_url.get_secret_value(), max_size=settings.pool_max_size
    )
    cs = CsClient(
        base_url=settings.cs_base_url,
        timeout=settings.cs_timeout,
        municipality_code=settings.municipality_code,
        transport=overrides.cs_transport,
    )
    publisher = CommandPublisher(settings.amqp_url.get_secret_value())
    uow = partial(UnitOfWork, pool)
    supply = CodeSupply(
        uow=uow,
        listen=listener_on(pool),
        cs=cs,
        publisher=publisher,
        low_water=settings.free_codes_low_water,
        batch=settings.free_codes_batch,
        clock=ward_now,
    )
    topology = overrides.topology or topology_from_env()
    handler = CsDelivery(cs=cs, vault=vault, uow=uow)
    kit = ConsumerKit(
        recipient=RECIPIENT,
        schema=SCHEMA,
        amqp_url=settings.amqp_url.get_secret_value(),
        database_url=settings.database_url.get_secret_value(),
        handler=handler,
        models=MESSAGE_MODELS,
        topology=topology,
        prefetch=settings.prefetch,
        partitions=_own_partitions(settings, topology),
    )
    poller = cs_poller(
        uow=uow, cs=cs, publisher=publisher, interval=settings.poll_interval, clock=ward_now
    )
    return CsAdapter(settings, pool, cs, vault, kit, publisher, poller, supply)


def _own_partitions(settings: Settings, topology: Topology) -> tuple[int, ...] | None:
    """In scale-out mode, the partitions of `cs` this replica consumes (None: all)."""
    if settings.replica is None:
        return None
    return settings.replica.partitions(topology.recipient(RECIPIENT))


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
    logger.info("cs_adapter running")
    try:
        yield
    finally:
        app.state.adapter = None
        await adapter.close()
