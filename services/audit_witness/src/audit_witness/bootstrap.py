"""Composition root: the pool, the signers' keys and the consumer, built once per process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from fastapi import FastAPI
from jumin_platform.db import create_pool
from jumin_platform.topology import WITNESS_RECIPIENT, topology_from_env

from audit_witness.adapters.signer_keys import load_signers
from audit_witness.config import Settings
from audit_witness.domain.signers import Signers
from audit_witness.entrypoints.consumer import CheckpointConsumer, ConsumerConfig


@dataclass
class Witness:
    """What the API and the consumer share: the pool and the signers' public keys."""

    pool: asyncpg.Pool[Any]
    signers: Signers
    consumer: CheckpointConsumer


async def open_witness(settings: Settings) -> Witness:
    """Open the pool, read the signers' keys and build the consumer of `witness.events`."""
    signers = load_signers(settings.signers_dir)
    (queue,) = topology_from_env().recipient(WITNESS_RECIPIENT).consumer_queues
    pool = await create_pool(settings.database_url.get_secret_value(), min_size=1, max_size=4)
    config = ConsumerConfig(
        amqp_url=settings.amqp_url.get_secret_value(),
        queue=queue,
        retry_seconds=settings.retry_seconds,
    )
    consumer = CheckpointConsumer(config, connections=pool.acquire, signers=signers)
    return Witness(pool=pool, signers=signers, consumer=consumer)


@asynccontextmanager
async def witness_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the witness and run its consumer while the API serves."""
    witness = await open_witness(app.state.settings)
    app.state.witness = witness
    task = asyncio.create_task(witness.consumer.run_forever(), name="witness-consumer")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await witness.pool.close()
