"""`bench.pipeline`'s registry side: enter and approve changes through the registry's use cases."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from registry.bootstrap import Registry
from registry.domain.change_requests import EntryChange
from registry.domain.errors import RegistryError
from registry.service_layer import handlers

from bench.pipeline.workload import CLERK, REVIEWER, TERMINAL, Household


@dataclass
class Registrar:
    """Enter and approve changes through the registry's use cases on one pool."""

    registry: Registry
    approvers: int
    households: list[Household] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    async def submit(self, requests: Sequence[Any]) -> list[UUID]:
        registry = self.registry
        ids = [uuid4() for _ in requests]
        gate = asyncio.Semaphore(self.approvers)

        async def one(request: Any, change_id: UUID) -> None:
            async with gate:
                await handlers.submit_change(
                    uow=registry.uow(),
                    request=request,
                    staff_id=CLERK,
                    terminal=TERMINAL,
                    change_id=change_id,
                    addresses=registry.addresses,
                    clock=registry.clock,
                )

        await asyncio.gather(*(one(r, i) for r, i in zip(requests, ids, strict=True)))
        return ids

    async def _approve(self, change_id: UUID, committed: dict[str, float]) -> None:
        registry = self.registry
        try:
            approved = await handlers.approve_change(
                uow=registry.uow(),
                change_id=change_id,
                reviewer_id=REVIEWER,
                addresses=registry.addresses,
                clock=registry.clock,
            )
        except RegistryError as error:  # counted and reported; its change sends nothing
            self.refused.append(f"{type(error).__name__}: {error}")
            return
        committed[str(change_id)] = time.time()
        request = approved.request
        if isinstance(request, EntryChange) and request.address is not None:
            self.households.append(Household(tuple(approved.subjects), request.address))

    async def approve_all(self, ids: Sequence[UUID]) -> dict[str, float]:
        """Approve as fast as `approvers` concurrent reviewers go; change id → commit time."""
        committed: dict[str, float] = {}
        queue = list(reversed(ids))

        async def reviewer() -> None:
            while queue:
                await self._approve(queue.pop(), committed)

        await asyncio.gather(*(reviewer() for _ in range(self.approvers)))
        return committed

    async def approve_paced(self, ids: Sequence[UUID], rate: float) -> dict[str, float]:
        """Open loop: start one approval every 1/rate s, however long the others take."""
        committed: dict[str, float] = {}
        loop = asyncio.get_running_loop()
        start = loop.time()
        tasks = []
        for index, change_id in enumerate(ids):
            delay = start + index / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self._approve(change_id, committed)))
        await asyncio.gather(*tasks)
        return committed
