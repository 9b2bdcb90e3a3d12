"""The command bus on the real broker: run the registry's consumer, publish as an adapter.

`run_consumer` purges registry.in as admin and runs the command consumer as jumin_registry (the
`consumer` fixture of conftest.py); `publish_as` publishes a command body as an adapter's broker
user, under that user's own permissions; `applied` waits for a command's inbox row.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Final
from urllib.parse import quote, urlsplit, urlunsplit
from uuid import UUID

import aio_pika
import pytest
from jumin_platform.topology import COMMANDS_EXCHANGE, REGISTRY_DEAD_QUEUE, REGISTRY_QUEUE, Topology
from jumin_testing.waiting import eventually
from registry.bootstrap import Registry
from registry.config import Settings
from registry.entrypoints.commands_consumer import CommandConsumer, ConsumerConfig

CS_USER: Final = "jumin_cs_adapter"
KOSEKI_USER: Final = "jumin_koseki_adapter"


def amqp_url(settings: Settings, user: str) -> str:
    """The settings' broker URL with another user's credentials (same host, port and vhost)."""
    parts = urlsplit(settings.amqp_url.get_secret_value())
    password = Topology().user(user).password()
    netloc = (
        f"{quote(user, safe='')}:{quote(password, safe='')}"
        f"@{parts.hostname or '127.0.0.1'}:{parts.port or 5672}"
    )
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@contextlib.asynccontextmanager
async def run_consumer(settings: Settings, registry: Registry) -> AsyncIterator[CommandConsumer]:
    """Purge registry.in (as admin) and run the command consumer as jumin_registry."""
    connection = await aio_pika.connect(amqp_url(settings, "jumin_admin"))
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(REGISTRY_QUEUE, passive=True)
        if queue.declaration_result.consumer_count:
            pytest.fail("another command consumer is active on registry.in: stop `make up` first")
        await queue.purge()
    running = CommandConsumer(
        ConsumerConfig(amqp_url=settings.amqp_url.get_secret_value()),
        uow=registry.uow,
        clock=registry.clock,
        addresses=registry.addresses,
        access_log=registry.access_log,
    )
    task = asyncio.create_task(running.run_forever())
    try:
        await asyncio.wait_for(running.consuming.wait(), timeout=10)
        yield running
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def publish_as(
    settings: Settings, user: str, routing_key: str, body: bytes, message_id: str
) -> None:
    """Publish a command on jumin.commands as an adapter's broker user (mandatory, confirmed)."""
    connection = await aio_pika.connect(amqp_url(settings, user))
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(COMMANDS_EXCHANGE, ensure=False)
        message = aio_pika.Message(
            body,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message_id,
        )
        await exchange.publish(message, routing_key=routing_key, mandatory=True)


async def applied(owner: Any, command_id: UUID) -> Any:
    """Wait until the consumer has recorded a command in registry.command_inbox; its row."""
    query = "SELECT * FROM registry.command_inbox WHERE command_id = $1"
    return await eventually(
        lambda: owner.fetchrow(query, command_id),
        lambda row: row is not None,
        what=f"command {command_id} applied by the consumer",
        every=0.2,
    )


async def dead_lettered(settings: Settings, message_id: str) -> bool:
    """Look for a message in registry.dead without taking anything away (admin, no ack)."""
    connection = await aio_pika.connect(amqp_url(settings, "jumin_admin"))
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(REGISTRY_DEAD_QUEUE, ensure=True)
        for _ in range(1000):  # unacked gets return to the queue when the channel closes
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                return False
            if message.message_id == message_id:
                return True
    return False
