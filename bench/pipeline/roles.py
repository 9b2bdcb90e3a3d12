"""The processes of `bench.pipeline`: the outbox relay, one consumer kit per recipient, the baseline.

Each runs in its own interpreter (multiprocessing, spawn), as the services do in production, so on
a 2-core machine they compete for CPU like the real relay and adapters would. The parent drives a
role over a `Pipe` with small commands and reads progress from a shared counter:

- `relay_main`: waits for "go", then runs `OutboxRelay(...).run_forever()` until "stop";
- `consumer_main`: a `ConsumerKit` for one recipient (inbox and per-person sequence check as in
  production) with a no-op handler that only notes (event id, change id, person key, seq,
  handled at, recorded at); "collect" returns what was handled since the last "collect";
- `baseline_consumer_main`: bare aio-pika consume-with-ack of `expected` messages from one queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

#: (event id, change id, person key, seq, handled at (epoch s), recorded at (epoch s))
Handled = tuple[str, str, str, int, float, float]


@dataclass(frozen=True)
class BrokerPlan:
    """Where the bench's topology lives (a dedicated vhost), picklable for the child processes."""

    vhost: str
    partitions: str  # JUMIN_AMQP_PARTITIONS syntax, e.g. "cs=2" ("" = no scale-out)
    host: str
    port: int

    def topology(self) -> Any:
        from dataclasses import replace

        from jumin_platform.topology import Topology, parse_partitions

        topology = Topology().with_all_routed().with_partitions(parse_partitions(self.partitions))
        return replace(topology, vhost=self.vhost)

    def url(self, user: str) -> str:
        from urllib.parse import quote

        password = self.topology().user(user).password()
        return (
            f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@{self.host}:{self.port}/"
            f"{quote(self.vhost, safe='')}"
        )


def _quiet() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(processName)s %(name)s: %(message)s")


async def _command(pipe: Connection) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, pipe.recv)


# ---- relay ---------------------------------------------------------------------------------------
def relay_main(
    database_url: str, plan: BrokerPlan, key_file: str, batch_size: int, pipe: Connection
) -> None:
    _quiet()
    asyncio.run(_relay(database_url, plan, key_file, batch_size, pipe))


async def _relay(
    database_url: str, plan: BrokerPlan, key_file: str, batch_size: int, pipe: Connection
) -> None:
    from jumin_platform.my_number_vault import load_vault
    from jumin_platform.topology import REGISTRY_USER
    from registry.bootstrap import ward_now
    from registry.entrypoints.relay import OutboxRelay, RelayConfig

    config = RelayConfig(
        database_url=database_url,
        amqp_url=plan.url(REGISTRY_USER),
        poll_seconds=1.0,
        batch_size=batch_size,
    )
    relay = OutboxRelay(config, load_vault(Path(key_file)), ward_now)
    pipe.send("ready")
    if await _command(pipe) != "go":
        return
    task = asyncio.create_task(relay.run_forever())
    pipe.send(time.time())
    await _command(pipe)  # "stop"
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    pipe.send("stopped")


# ---- one consumer kit per recipient --------------------------------------------------------------
def consumer_main(
    recipient: str,
    schema: str,
    database_url: str,
    plan: BrokerPlan,
    prefetch: int,
    counter: Synchronized[int],
    pipe: Connection,
) -> None:
    _quiet()
    asyncio.run(_consume(recipient, schema, database_url, plan, prefetch, counter, pipe))


async def _consume(
    recipient: str,
    schema: str,
    database_url: str,
    plan: BrokerPlan,
    prefetch: int,
    counter: Synchronized[int],
    pipe: Connection,
) -> None:
    from jumin_contracts.envelope import Envelope
    from jumin_contracts.messages import MESSAGE_MODELS, RecipientMessage
    from jumin_platform.consumer import ConsumerKit

    topology = plan.topology()
    handled: list[Handled] = []

    async def no_op(envelope: Envelope, payload: RecipientMessage, connection: Any) -> None:
        handled.append(
            (
                str(envelope.event_id),
                str(envelope.change_id),
                envelope.person_key,
                envelope.seq,
                time.time(),
                envelope.recorded_at.timestamp(),
            )
        )
        counter.value += 1

    kit = ConsumerKit(
        recipient=recipient,
        schema=schema,
        amqp_url=plan.url(topology.recipient(recipient).user),
        database_url=database_url,
        handler=no_op,
        models=MESSAGE_MODELS,
        topology=topology,
        prefetch=prefetch,
    )
    await kit.start()
    pipe.send("ready")
    try:
        while (command := await _command(pipe)) != "stop":
            if command == "collect":
                batch, handled[:] = list(handled), []
                pipe.send(batch)
    finally:
        await kit.stop()
    pipe.send("stopped")


# ---- baseline: bare aio-pika ---------------------------------------------------------------------
def baseline_consumer_main(
    url: str, queue: str, expected: int, prefetch: int, pipe: Connection
) -> None:
    _quiet()
    asyncio.run(_baseline_consume(url, queue, expected, prefetch, pipe))


async def _baseline_consume(
    url: str, queue_name: str, expected: int, prefetch: int, pipe: Connection
) -> None:
    import aio_pika
    import aio_pika.abc

    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        queue = await channel.get_queue(queue_name, ensure=False)
        done = asyncio.Event()
        received = 0
        first = last = 0.0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal received, first, last
            await message.ack()
            received += 1
            last = time.time()
            if received == 1:
                first = last
            if received >= expected:
                done.set()

        await queue.consume(on_message)
        pipe.send("ready")
        await done.wait()
        pipe.send((received, first, last))
