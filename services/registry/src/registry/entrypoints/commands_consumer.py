"""Consume registry.in: validate each command by its routing key, apply it once, then settle it.

The queue is declared by provisioning (quorum, single active consumer, delivery limit, dead-letter
to jumin.dlx → registry.dead); the registry's broker user may only read it, so it is consumed
passively. The transport is the consumer kit's (FastStream with its telemetry middleware: the
consume span continues the trace the sending adapter started), and failures are told apart with the
kit's error classes (`jumin_platform.consumer.errors`):

- `PermanentError` — unknown routing key or a body that fails its contract: rejected without
  requeue, so the broker dead-letters it to registry.dead for an operator (it could never succeed);
- applied, duplicate, unmatched or refused → acked (the outcome is in registry.command_inbox);
- `TransientError` — the database unreachable: the delivery stays unacked and is retried with
  back-off, so an outage pauses the queue instead of burning the delivery limit;
- anything else (a bug) → returned to the queue with `basic.reject`, so the broker's delivery
  limit dead-letters it eventually (a requeueing nack no longer counts on RabbitMQ ≥ 4.3).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from aio_pika.abc import AbstractIncomingMessage
from faststream.rabbit.message import RabbitMessage
from jumin_contracts.commands import COMMAND_MODELS, RegistryCommand
from jumin_platform.access_log import AccessLog
from jumin_platform.consumer.errors import DATABASE_OUTAGES, PermanentError, TransientError
from jumin_platform.consumer.transport import make_broker, subscribe_manually
from jumin_platform.topology import REGISTRY_QUEUE
from opentelemetry import trace
from pydantic import ValidationError

from registry.domain.addresses import AddressBook
from registry.service_layer.command_handlers import CommandResult, apply_command
from registry.service_layer.handlers import Clock
from registry.service_layer.unit_of_work import UnitOfWork

logger = logging.getLogger("registry.commands")


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
    """Apply commands from registry.in until cancelled; the broker connection reconnects itself."""

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
        """Consume until cancelled; retry until the broker can be reached at all."""
        while True:
            broker = make_broker(self._config.amqp_url, prefetch=self._config.prefetch)
            subscribe_manually(broker, self._config.queue, self._deliver)
            try:
                await broker.start()
            except Exception as exc:  # the broker refused or is not there yet: back off
                logger.warning("command consumer cannot reach the broker (%s)", type(exc).__name__)
                await broker.stop()
                await asyncio.sleep(self._config.retry_seconds)
                continue
            try:
                self.consuming.set()
                logger.info("consuming %s", self._config.queue)
                await asyncio.Event().wait()  # until cancelled; the connection is robust
            finally:
                self.consuming.clear()
                await broker.stop()

    async def _deliver(self, message: RabbitMessage) -> None:
        """FastStream's entry: settle the delivery ourselves (manual acks)."""
        await self.handle(message.raw_message)

    async def handle(self, message: AbstractIncomingMessage) -> None:
        """Validate, apply and settle one delivery."""
        span = trace.get_current_span()
        try:
            command = self._parse(message.routing_key or "", message.body)
            span.set_attribute("jumin.command_id", str(command.command_id))
            result = await self._apply(command)
        except PermanentError as error:
            logger.warning("%s; dead-lettered", error.reason())
            await message.reject(requeue=False)  # → jumin.dlx → registry.dead
            span.set_attribute("jumin.command.outcome", "dead_lettered")
            return
        except Exception as exc:  # a bug: the message text might quote personal data
            logger.error("command failed (%s); requeued", type(exc).__name__)
            await message.reject(requeue=True)
            span.set_attribute("jumin.command.outcome", "requeued")
            return
        span.set_attribute("jumin.command.outcome", result.outcome.value)
        await message.ack()

    def _parse(self, routing_key: str, body: bytes) -> RegistryCommand:
        """Return the command; raise PermanentError when it can never be applied."""
        model = COMMAND_MODELS.get(routing_key)
        if model is None:
            raise PermanentError(f"unknown command routing key {routing_key!r}")
        try:
            return model.model_validate_json(body)
        except ValidationError as error:
            # locations and error types only: the input values may be personal data
            problems = sorted(
                {f"{'.'.join(map(str, e['loc']))}:{e['type']}" for e in error.errors()}
            )
            raise PermanentError(f"invalid {routing_key}: {', '.join(problems)}") from None

    async def _apply(self, command: RegistryCommand) -> CommandResult:
        """Apply a command, riding out database outages (TransientError) with back-off."""
        delay = self._config.retry_seconds
        while True:
            try:
                return await self._apply_once(command)
            except TransientError as error:
                logger.warning(
                    "command %s not applied (%s); retrying in %.0f s",
                    command.command_id,
                    error.reason(),
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._config.max_backoff_seconds)

    async def _apply_once(self, command: RegistryCommand) -> CommandResult:
        try:
            return await self._apply_command(
                uow=self._uow(),
                command=command,
                clock=self._clock,
                addresses=self._addresses,
                access_log=self._access_log,
            )
        except DATABASE_OUTAGES as exc:
            raise TransientError(type(exc).__name__) from exc
