"""Composition root: build settings, pools, CS client, vault, kit, publisher and loops once.

One process runs everything (`jumin-cs-adapter serve`): the consumer kit on `cs.*`, the
notification poller, the free-code supply and the operator API, started and stopped by the
FastAPI lifespan.
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

RECIPIENT = "cs"
ACCESS_LOG = AccessLog(f"{SCHEMA}.access_log")
"""アクセスログ of the operator API (spec 10.2), hash-chained."""


@dataclass(frozen=True, kw_only=True)
class Overrides:
    """What tests replace: CS behind an in-process transport, the broker topology (vhost)."""

    cs_transport: httpx.AsyncBaseTransport | None = None
    topology: Topology | None = None


@dataclass(kw_only=True)
class CsAdapter(AdapterRuntime):
    """Everything the running adapter holds (kit, publisher, pool: `AdapterRuntime`)."""

    settings: Settings
    cs: CsClient
    vault: MyNumberVault
    poller: CsPoller
    supply: CodeSupply
    access_log: Appender = ACCESS_LOG

    def loops(self) -> Iterator[Loop]:
        """The notification poller, the free-code supply, then the scheduled 整合性確認."""
        yield Loop("cs-notifications", self.poller.run)
        yield Loop("cs-free-codes", self.supply.run)
        every = self.settings.consistency_check_interval
        yield from scheduled_check("cs-consistency", self.consistency_check, every=every)

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
    return CsAdapter(
        pool=pool,
        kit=kit,
        publisher=publisher,
        clients=(cs,),
        settings=settings,
        cs=cs,
        vault=vault,
        poller=poller,
        supply=supply,
    )


def _own_partitions(settings: Settings, topology: Topology) -> tuple[int, ...] | None:
    """In scale-out mode, the partitions of `cs` this replica consumes (None: all)."""
    if settings.replica is None:
        return None
    return settings.replica.partitions(topology.recipient(RECIPIENT))


adapter_lifespan = lifespan_of(open_adapter, name="cs_adapter")
"""Open and start the adapter with the app; stop it when the app stops."""
