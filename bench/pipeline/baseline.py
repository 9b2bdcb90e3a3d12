"""`bench.pipeline`'s raw broker baseline: the same bodies through bare aio-pika, same broker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import aio_pika
import asyncpg
from jumin_platform.my_number_vault import MyNumberVault
from jumin_platform.topology import ADMIN_USER, PERSON_KEY_HEADER

from bench.common.cpu_accounting import per_message_ms, snapshot
from bench.pipeline.processes import Pipeline
from bench.pipeline.roles import baseline_consumer_main
from bench.pipeline.settings import BASELINE_QUEUE, BenchConfig


async def phase_bodies(
    owner: asyncpg.Connection[Any], vault: MyNumberVault, first_id: int, last_id: int
) -> list[tuple[bytes, str, str]]:
    rows = await owner.fetch(
        "SELECT event_id, person_key, sealed_body FROM registry.outbox "
        "WHERE id > $1 AND id <= $2 ORDER BY id",
        first_id,
        last_id,
    )
    return [
        (
            vault.open(r["sealed_body"], atena_no=str(r["event_id"])).encode(),
            str(r["event_id"]),
            r["person_key"],
        )
        for r in rows
    ]


async def baseline(
    config: BenchConfig, pipeline: Pipeline, bodies: Sequence[tuple[bytes, str, str]]
) -> tuple[float, float, dict[str, float]]:
    """Publish-with-confirm + consume-with-ack of the same messages; return (msgs/s, seconds)."""
    url = config.plan.url(ADMIN_USER)
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        queue = await channel.declare_queue(
            BASELINE_QUEUE, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.purge()
        consumer = pipeline._spawn(
            "baseline-consumer",
            baseline_consumer_main,
            url,
            BASELINE_QUEUE,
            len(bodies),
            config.baseline_prefetch,
        )
        if (answer := await consumer.receive()) != "ready":
            raise RuntimeError(f"baseline consumer: {answer!r}")
        exchange = channel.default_exchange
        roles = {consumer.process.pid or 0: "baseline-consumer"}
        cpu_before = snapshot(roles, database=config.database)
        started = time.time()
        batch = config.relay_batch
        for start in range(0, len(bodies), batch):
            await asyncio.gather(
                *(
                    exchange.publish(
                        aio_pika.Message(
                            body,
                            content_type="application/json",
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                            message_id=event_id,
                            headers={PERSON_KEY_HEADER: person_key},
                        ),
                        routing_key=BASELINE_QUEUE,
                        mandatory=True,
                    )
                    for body, event_id, person_key in bodies[start : start + batch]
                )
            )
        received, _first, last = await consumer.receive(within_s=600)
        cpu = per_message_ms(cpu_before, snapshot(roles, database=config.database), len(bodies))
        consumer.process.join(10)
        await queue.delete(if_unused=False, if_empty=False)
    if received != len(bodies):
        raise RuntimeError(f"baseline: {received} of {len(bodies)} received")
    seconds = last - started
    return len(bodies) / seconds, seconds, cpu
