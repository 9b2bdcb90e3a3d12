"""Consume registry.in: validate each command by its routing key, apply it once, then ack.

The queue is declared by provisioning (quorum, single active consumer, delivery limit, dead-letter
to jumin.dlx → registry.dead); the registry's broker user may only read it, so it is looked up
passively. What happens to a delivery:

- unknown routing key or a body that fails its contract → rejected without requeue: the broker
  dead-letters it to registry.dead for an operator (it could never succeed);
- applied, duplicate, unmatched or refused → acked (the outcome is in registry.command_inbox);
- the database unreachable → kept unacked and retried with back-off, so an outage pauses the queue
  instead of burning the delivery limit;
- anything else (a bug) → requeued; the broker's delivery limit dead-letters it eventually.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aio_pika
import asyncpg
from aio_pika.abc import AbstractIncomingMessage
from jumin_contracts.commands import COMMAND_MODELS, RegistryCommand
from jumin_platform.access_log import AccessLog
from jumin_platform.db import create_pool
from jumin_platform.my_number_vault import load_vault
from jumin_platform.telemetry import context_from
from jumin_platform.topology import REGISTRY_QUEUE
from opentelemetry import trace
from pydantic import ValidationError

from registry.bootstrap import Registry, address_book
from registry.config import Settings
from registry.domain.addresses import AddressBook
from registry.service_layer.command_handlers import CommandResult, apply_command
from registry.service_layer.handlers import Clock
from registry.service_layer.unit_of_work import UnitOfWork

logger = logging.getLogger("registry.commands")
tracer = trace.get_tracer("registry.commands")

TRANSIENT = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
)
"""Failures that pass by themselves: retry the same delivery rather than give it up."""


class Apply(Protocol):
    """The use case the consumer runs (`apply_command`; a fake in unit tests)."""

    def __call__(
        self,
        *,
        uow: UnitOfWork,
        command: RegistryCommand,
        clock: Clock,
        addresses: AddressBook,
        access_log: AccessLog | None = None,
    ) -> Awaitable[CommandResult]: ...


@dataclass(frozen=True, kw_only=True)
class ConsumerConfig:
    """Where the consumer reads from and how it paces retries."""

    amqp_url: str
    queue: str = REGISTRY_QUEUE
    prefetch: int = 1  # one at a time: commands for a person apply in the order sent
    retry_seconds: float = 1.0
    max_backoff_seconds: float = 30.0


class CommandConsumer:
    """Apply commands from registry.in until cancelled, reconnecting after broker failures."""

    def __init__(
        self,
        config: ConsumerConfig,
        *,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        addresses: AddressBook,
        access_log: AccessLog | None = None,
        apply: Apply = apply_command,
    ) -> None:
        self._config = config
        self._apply_command = apply
        self._uow = uow
        self._clock = clock
        self._addresses = addresses
        self._access_log = access_log
        self.consuming = asyncio.Event()

    async def run_forever(self) -> None:
        """Consume until cancelled, surviving broker restarts."""
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker refused or vanished: back off and reconnect
                logger.warning(
                    "command consumer lost the broker (%s); retrying", type(exc).__name__
                )
            self.consuming.clear()
            await asyncio.sleep(self._config.retry_seconds)

    async def _consume(self) -> None:
        connection = await aio_pika.connect(self._config.amqp_url)
        async with connection:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self._config.prefetch)
            queue = await channel.get_queue(self._config.queue, ensure=True)  # passive
            async with queue.iterator() as messages:
                self.consuming.set()
                logger.info("consuming %s", self._config.queue)
                async for message in messages:
                    await self.handle(message)

    async def handle(self, message: AbstractIncomingMessage) -> None:
        """Validate, apply and settle one delivery."""
        routing_key = message.routing_key or ""
        headers: dict[str, Any] = dict(message.headers or {})
        traceparent = headers.get("traceparent")
        with tracer.start_as_current_span(
            f"{self._config.queue} process",
            context=context_from(traceparent if isinstance(traceparent, str) else None),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "rabbitmq",
                "messaging.destination.name": self._config.queue,
                "messaging.rabbitmq.destination.routing_key": routing_key,
                "messaging.message.id": message.message_id or "",
            },
        ) as span:
            command = self._parse(routing_key, message.body)
            if command is None:
                await message.reject(requeue=False)  # → jumin.dlx → registry.dead
                span.set_attribute("jumin.command.outcome", "dead_lettered")
                return
            span.set_attribute("jumin.command_id", str(command.command_id))
            result = await self._apply(command)
            if result is None:
                await message.nack(requeue=True)
                span.set_attribute("jumin.command.outcome", "requeued")
                return
            span.set_attribute("jumin.command.outcome", result.outcome.value)
            await message.ack()

    def _parse(self, routing_key: str, body: bytes) -> RegistryCommand | None:
        model = COMMAND_MODELS.get(routing_key)
        if model is None:
            logger.warning("unknown command routing key %r: dead-lettered", routing_key)
            return None
        try:
            return model.model_validate_json(body)
        except ValidationError as error:
            # locations and error types only: the input values may be personal data
            problems = sorted(
                {f"{'.'.join(map(str, e['loc']))}:{e['type']}" for e in error.errors()}
            )
            logger.warning("invalid %s: %s; dead-lettered", routing_key, ", ".join(problems))
            return None

    async def _apply(self, command: RegistryCommand) -> CommandResult | None:
        """Apply a command, riding out database outages; None when it should be requeued."""
        delay = self._config.retry_seconds
        while True:
            try:
                return await self._apply_command(
                    uow=self._uow(),
                    command=command,
                    clock=self._clock,
                    addresses=self._addresses,
                    access_log=self._access_log,
                )
            except TRANSIENT as exc:
                logger.warning(
                    "command %s not applied (%s); retrying in %.0f s",
                    command.command_id,
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._config.max_backoff_seconds)
            except Exception as exc:  # a bug: the message text might quote personal data
                logger.error(
                    "command %s failed (%s); requeued", command.command_id, type(exc).__name__
                )
                return None


async def run(settings: Settings) -> None:
    """Build what the consumer needs from the settings and consume until cancelled."""
    pool = await create_pool(
        settings.database_url.get_secret_value(), min_size=1, max_size=settings.pool_max_size
    )
    try:
        registry = Registry(
            settings=settings,
            pool=pool,
            addresses=address_book(settings),
            vault=load_vault(settings.my_number_key_file),
        )
        consumer = CommandConsumer(
            ConsumerConfig(amqp_url=settings.amqp_url.get_secret_value()),
            uow=registry.uow,
            clock=registry.clock,
            addresses=registry.addresses,
            access_log=registry.access_log,
        )
        await consumer.run_forever()
    finally:
        await pool.close()
