"""Consume `witness.events`: keep each checkpoint whose signature holds, dead-letter the rest.

The queue is declared by provisioning (quorum, single active consumer, delivery limit, dead-letter
to jumin.dlx → witness.dead); the witness's broker user may only read it. Settling:

- not a checkpoint, or its signature does not verify with its signer's public keys (forged,
  altered, another service's key) → rejected without requeue: the broker dead-letters it to
  `witness.dead`, and the refusal is logged (log name, seq and reason only);
- kept, or the same checkpoint kept already → acked;
- the database away → retried here with back-off (the delivery stays unacked), so an outage pauses
  the queue instead of burning the delivery limit;
- anything else (a bug) → returned to the queue; the delivery limit dead-letters it eventually.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from aio_pika.abc import AbstractIncomingMessage
from faststream.rabbit.message import RabbitMessage
from jumin_platform.checkpoint_signing import SignedCheckpoint
from jumin_platform.consumer.errors import DATABASE_OUTAGES
from jumin_platform.consumer.transport import make_broker, subscribe_manually
from jumin_platform.db import AnyConnection
from pydantic import ValidationError

from audit_witness.adapters.checkpoint_store import CheckpointStore
from audit_witness.domain.signers import Signers

logger = logging.getLogger("audit_witness.consumer")

Connections = Callable[[], AbstractAsyncContextManager[AnyConnection]]
"""Borrow a connection (the pool's `acquire`)."""


@dataclass(frozen=True, kw_only=True)
class ConsumerConfig:
    """Where the witness reads from and how it paces retries."""

    amqp_url: str
    queue: str
    retry_seconds: float = 1.0
    max_backoff_seconds: float = 30.0


class CheckpointConsumer:
    """Keep checkpoints from the queue until cancelled."""

    def __init__(
        self, config: ConsumerConfig, *, connections: Connections, signers: Signers
    ) -> None:
        self._config = config
        self._connections = connections
        self._signers = signers
        self.consuming = asyncio.Event()

    async def run_forever(self) -> None:
        """Consume until cancelled; retry until the broker can be reached at all."""
        while True:
            broker = make_broker(self._config.amqp_url, prefetch=1)
            subscribe_manually(broker, self._config.queue, self._deliver)
            try:
                await broker.start()
            except Exception as exc:  # the broker refused or is not there yet: back off
                logger.warning("witness cannot reach the broker (%s)", type(exc).__name__)
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
        await self.handle(message.raw_message)

    async def handle(self, message: AbstractIncomingMessage) -> None:
        """Check, keep and settle one delivery."""
        try:
            checkpoint = SignedCheckpoint.model_validate_json(message.body)
        except ValidationError:
            logger.warning(
                "refused message %s: not a checkpoint; dead-lettered", message.message_id
            )
            await message.reject(requeue=False)
            return
        refusal = self._signers.refusal(checkpoint)
        if refusal is not None:
            logger.warning("refused checkpoint: %s; dead-lettered", refusal)
            await message.reject(requeue=False)  # → jumin.dlx → witness.dead
            return
        try:
            kept = await self._keep(checkpoint)
        except Exception as exc:  # a bug: back to the queue, the delivery limit ends it
            logger.error("checkpoint not kept (%s); requeued", type(exc).__name__)
            await message.reject(requeue=True)
            return
        logger.info(
            "checkpoint of %s row %d %s",
            checkpoint.log,
            checkpoint.seq,
            "kept" if kept else "known",
        )
        await message.ack()

    async def _keep(self, checkpoint: SignedCheckpoint) -> bool:
        delay = self._config.retry_seconds
        while True:
            try:
                async with self._connections() as connection:
                    return await CheckpointStore(connection).add(checkpoint)
            except DATABASE_OUTAGES as exc:
                logger.warning("database away (%s); retrying in %.0f s", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._config.max_backoff_seconds)
