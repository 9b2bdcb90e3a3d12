"""Publish registry commands to `jumin.commands` with publisher confirms (FastStream, traced).

Persistent, mandatory (an unroutable command raises instead of vanishing), `message_id` = the
command id; FastStream's telemetry middleware opens the publish span and carries the trace.
Only the items the adapter set are written: an omitted item is the contract's default when the
registry reads it, and for `MojCorrections` omitted ("unchanged") differs from null ("cleared").
"""

from __future__ import annotations

from typing import Any

from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange
from jumin_contracts.commands import RegistryCommand

from jumin_platform.consumer.transport import make_broker
from jumin_platform.telemetry import inject_headers
from jumin_platform.topology import COMMANDS_EXCHANGE

__all__ = ["CommandPublisher"]


class CommandPublisher:
    """One broker connection for the adapter's commands back to the registry."""

    def __init__(self, amqp_url: str) -> None:
        self._broker: RabbitBroker = make_broker(amqp_url, prefetch=1)
        self._exchange = RabbitExchange(COMMANDS_EXCHANGE, type=ExchangeType.TOPIC, declare=False)
        self.connected = False

    async def start(self) -> None:
        await self._broker.start()
        self.connected = True

    async def stop(self) -> None:
        self.connected = False
        await self._broker.stop()

    async def publish(self, command: RegistryCommand) -> None:
        """Publish one command and wait for the broker's confirm."""
        headers: dict[str, Any] = dict(inject_headers())
        await self._broker.publish(
            command.model_dump_json(exclude_unset=True).encode(),
            exchange=self._exchange,
            routing_key=command.ROUTING_KEY,
            persist=True,
            mandatory=True,
            message_id=str(command.command_id),
            content_type="application/json",
            headers=headers,
        )
