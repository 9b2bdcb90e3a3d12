"""Declare a `Topology` over AMQP: exchanges, queues and bindings, removing stale bindings.

Part of `jumin_platform.topology` (import from there).
"""

from __future__ import annotations

__all__ = [
    "TopologyError",
    "declare",
    "vhost_of",
]

from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import aio_pika
import aio_pika.abc
from aiormq.exceptions import ChannelNotFoundEntity, ChannelPreconditionFailed

from jumin_platform.topology.entities import PARTITION_WEIGHT, Binding

if TYPE_CHECKING:
    from jumin_platform.topology.layout import Topology


class TopologyError(RuntimeError):
    """The broker refused the topology (typically: a queue exists with other arguments)."""


def vhost_of(amqp_url: str) -> str:
    """The virtual host an AMQP URL points at (`amqp://h/` and `amqp://h` mean `/`)."""
    path = urlsplit(amqp_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


async def declare(topology: Topology, amqp_url: str) -> None:
    """Declare every exchange, queue and binding (idempotent), as a user allowed to configure them.

    Raises `TopologyError` when an existing entity has other arguments: RabbitMQ never changes a
    queue's arguments, so such a queue has to be drained and deleted by an operator first.
    """
    if vhost_of(amqp_url) != topology.vhost:
        raise ValueError(
            f"AMQP URL points at vhost {vhost_of(amqp_url)!r}, topology is for {topology.vhost!r}"
        )
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=False)
        exchanges: dict[str, aio_pika.abc.AbstractExchange] = {}
        queues: dict[str, aio_pika.abc.AbstractQueue] = {}
        entity = ""
        try:
            for x in topology.exchanges():
                entity = f"exchange {x.name}"
                exchanges[x.name] = await channel.declare_exchange(
                    x.name,
                    x.type.value,
                    durable=True,
                    internal=x.internal,
                    arguments=dict(x.arguments),
                )
            for q in topology.queues():
                entity = f"queue {q.name}"
                queues[q.name] = await channel.declare_queue(
                    q.name, durable=True, arguments=dict(q.arguments)
                )
        except ChannelPreconditionFailed as exc:
            raise TopologyError(
                f"{entity} in vhost {topology.vhost} exists with other settings ({exc}); "
                "drain and delete it, then declare again"
            ) from exc
        for b in topology.bindings():
            if b.to_exchange:
                await exchanges[b.destination].bind(exchanges[b.source], b.routing_key)
            else:
                await queues[b.destination].bind(exchanges[b.source], b.routing_key)
        await _remove_stale_bindings(connection, topology)


async def _remove_stale_bindings(
    connection: aio_pika.abc.AbstractConnection, topology: Topology
) -> None:
    """Unbind what belongs to a recipient's other scale-out mode, to partitions beyond N, or
    routes events to an unrouted recipient."""
    for r in topology.recipients:
        for b in topology.stale_bindings(r):
            if await _exists(connection, b.destination, exchange=b.to_exchange):
                await _unbind(connection, b)
        if r.partitions and await _exists(connection, r.partition_exchange, exchange=True):
            index = r.partitions
            while await _exists(connection, r.partition_queue(index), exchange=False):
                stale = Binding(r.partition_exchange, r.partition_queue(index), PARTITION_WEIGHT)
                await _unbind(connection, stale)
                index += 1


async def _exists(
    connection: aio_pika.abc.AbstractConnection, name: str, *, exchange: bool
) -> bool:
    # A failed passive declare closes its channel: use a throwaway one.
    channel = await connection.channel(publisher_confirms=False)
    try:
        if exchange:
            await channel.get_exchange(name, ensure=True)
        else:
            await channel.get_queue(name, ensure=True)
    except ChannelNotFoundEntity:
        return False
    finally:
        if not channel.is_closed:
            await channel.close()
    return True


async def _unbind(connection: aio_pika.abc.AbstractConnection, binding: Binding) -> None:
    # Unbinding a binding that does not exist is a no-op in RabbitMQ; both ends must exist.
    channel = await connection.channel(publisher_confirms=False)
    try:
        source = await channel.get_exchange(binding.source, ensure=False)
        if binding.to_exchange:
            destination = await channel.get_exchange(binding.destination, ensure=False)
            await destination.unbind(source, binding.routing_key)
        else:
            queue = await channel.get_queue(binding.destination, ensure=False)
            await queue.unbind(source, binding.routing_key)
    finally:
        await channel.close()
