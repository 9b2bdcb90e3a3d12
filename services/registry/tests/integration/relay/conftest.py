"""Relay test fixtures: `settings` on a vhost of the test's own with every recipient routed and
projected, `inbox` (the recipients' queues, purged first) and `start_relay` (relays as tasks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from registry.bootstrap import Registry
from registry.config import Settings
from registry.entrypoints.relay import OutboxRelay

from ..downstream import broker_sandbox, registry_url
from .harness import QUEUE_USERS, Inbox, StartRelay, relay_config


@pytest.fixture
async def settings(settings: Settings) -> AsyncIterator[Settings]:
    """The test settings on a vhost of this test's own, every recipient routed and projected."""
    amqp = settings.amqp_url.get_secret_value()
    async with broker_sandbox(amqp, all_routed=True) as sandbox:
        yield settings.model_copy(
            update={
                "amqp_url": SecretStr(registry_url(sandbox, amqp)),
                "routed_recipients": sandbox.topology.routed_recipients,
            }
        )


@pytest.fixture
async def inbox(settings: Settings) -> AsyncIterator[Inbox]:
    """Purge the recipients' queues, then let the test consume them."""
    box = Inbox(settings)
    await box.purge(QUEUE_USERS)
    try:
        yield box
    finally:
        await box.close()


@pytest.fixture
async def start_relay(settings: Settings, registry: Registry) -> AsyncIterator[StartRelay]:
    """Start relays as tasks of the test's event loop; cancel them all at the end."""
    tasks: list[asyncio.Task[None]] = []

    def start() -> tuple[OutboxRelay, asyncio.Task[None]]:
        relay = OutboxRelay(relay_config(settings), registry.vault, registry.clock)
        task = asyncio.create_task(relay.run_forever())
        tasks.append(task)
        return relay, task

    try:
        yield start
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
