"""Keep the registry supplied with free 住民票コード (spec 4.3.1 新規付番用コードの取得・蓄積).

The registry pools the codes and assigns them at random. The adapter estimates its pool as codes
handed over minus codes seen in use in 本人確認情報, and below the low-water mark asks CS for a
batch and publishes it as FreeCodesReceived.

The handler's transaction NOTIFYs when it sees a supplied code in use, so the check runs after
that commit (a wake-up before it would count stale rows); a periodic check is the safety net.
The request's key is stored before the call, so a crash anywhere asks again with the same key
(CS returns the same batch) and republishes the same command id (the registry applies it once).
Running low is logged as a warning (count only) and shown on /readyz: the alert of spec 4.3.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg
from jumin_contracts.commands import FreeCodesReceived
from jumin_platform.db import Listen
from jumin_platform.inbound.publisher import CommandPublisher
from jumin_platform.telemetry import untraced

from cs_adapter.adapters.cs_client import CsClient, CsUnavailable
from cs_adapter.adapters.deliveries_repository import CODES_CHANNEL
from cs_adapter.adapters.state_repository import OpenSupply
from cs_adapter.service_layer.unit_of_work import UnitsOfWork

logger = logging.getLogger("cs_adapter.code_supply")

RECHECK_SECONDS = 60.0
RETRY_SECONDS = 5.0
MAX_BATCHES_PER_ROUND = 10


@dataclass
class CodeSupply:
    """Top the registry's free-code pool up whenever the estimate falls below `low_water`."""

    uow: UnitsOfWork
    listen: Listen
    cs: CsClient
    publisher: CommandPublisher
    low_water: int
    batch: int
    clock: Callable[[], datetime]
    estimate: int | None = None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def low(self) -> bool:
        """Tell whether the last estimate was below the low-water mark (the alert)."""
        return self.estimate is not None and self.estimate < self.low_water

    def wake(self, *_: object) -> None:
        """Ask for a check soon (a free code was seen in use)."""
        self._wake.set()

    async def run(self) -> None:
        """Check at start, on each NOTIFY and every minute; retry failures after a few seconds."""
        while True:
            try:
                async with self.listen(CODES_CHANNEL, self.wake):
                    await self._checks()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("free codes: lost the database (%s); retrying", type(exc).__name__)
                await asyncio.sleep(RETRY_SECONDS)

    async def _checks(self) -> None:
        while True:
            self._wake.clear()
            wait = RECHECK_SECONDS
            try:
                await self.top_up()
            except CsUnavailable as exc:
                logger.warning("free codes: CS unavailable (%s); retrying", exc)
                wait = RETRY_SECONDS
            except Exception as exc:  # the broker or the database is away
                logger.warning("free codes: top-up failed (%s); retrying", type(exc).__name__)
                wait = RETRY_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def top_up(self) -> int:
        """Hand batches to the registry until the estimate reaches the mark; return codes given."""
        given = 0
        for _ in range(MAX_BATCHES_PER_ROUND):
            with untraced():  # a check that finds enough codes leaves no span
                supply = await self._next_supply()
            if supply is None:
                return given
            given += await self._deliver(supply)
        return given

    async def _next_supply(self) -> OpenSupply | None:
        """Return an unfinished request, or store a new one when the estimate is low."""
        async with self.uow() as unit:
            state = unit.state
            self.estimate = await state.free_code_estimate()
            open_supply = await state.open_supply()
            if open_supply is not None:
                return open_supply
            if self.estimate >= self.low_water:
                return None
            logger.warning(
                "free 住民票コード running low: about %d left (alert below %d); asking CS for %d",
                self.estimate,
                self.low_water,
                self.batch,
            )
            supply = await state.new_supply(uuid.uuid4(), self.batch) or await state.open_supply()
            await unit.commit()
            return supply

    async def _deliver(self, supply: OpenSupply) -> int:
        batch = await self.cs.free_codes(key=supply.key, count=supply.count)
        async with self.uow() as unit:
            await unit.state.store_codes(supply.id, batch.batch_id, list(batch.codes))
            await unit.commit()
        command = FreeCodesReceived(
            command_id=supply.key, sent_at=self.clock(), codes=list(batch.codes)
        )
        await self.publisher.publish(command)
        async with self.uow() as unit:
            await unit.state.supply_published(supply.id)
            await unit.commit()
        logger.info(
            "free codes: %d handed to the registry (batch %s)", len(batch.codes), batch.batch_id
        )
        return len(batch.codes)
