"""Publish signed access-log checkpoints to the witness, and verify a log against the latest one.

The chain alone cannot show rows deleted from the end of a log (`jumin_platform.access_log`). A
service therefore signs its log's head (`checkpoint_signing`) and publishes it, on demand and at a
fixed interval, on `jumin.events` with routing key ``witness.checkpoint``; the `audit_witness`
service stores it append-only in its own schema, where the service's roles have no rights, and
serves the latest one over HTTP. `verify_with_witness` then checks the chain *and* that it still
reaches the latest checkpoint's row with that hash, so truncation after a checkpoint is reported.

Idle logs: a checkpoint whose head equals the last one published by this process is skipped (the
witness's latest checkpoint still names the head, so nothing is left unvouched for); the look at
the head runs under `telemetry.untraced()`, so an idle interval leaves no span.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

import aio_pika
import asyncpg
import httpx
from aio_pika.exceptions import AMQPError
from opentelemetry import trace
from pydantic import BaseModel, ValidationError

from jumin_platform.access_log import AccessLog, ChainReport, Checkpoint
from jumin_platform.checkpoint_signing import SignedCheckpoint, SigningKeyRing, VerifyingKeyRing
from jumin_platform.db import AnyConnection
from jumin_platform.telemetry import inject_headers, untraced
from jumin_platform.topology import CHECKPOINT_ROUTING_KEY, EVENTS_EXCHANGE

__all__ = [
    "AmqpCheckpointSender",
    "CheckpointLoop",
    "CheckpointNotSent",
    "CheckpointPublisher",
    "CheckpointSender",
    "TailReport",
    "WitnessClient",
    "WitnessUnavailable",
    "head_reader",
    "verify_with_witness",
]

logger = logging.getLogger("jumin_platform.checkpoints")
tracer = trace.get_tracer("jumin_platform.checkpoints")


def _now() -> datetime:
    return datetime.now(UTC)


class CheckpointNotSent(Exception):
    """The broker could not be reached, refused the checkpoint or did not route it."""


class CheckpointSender(Protocol):
    """Hand a signed checkpoint to the witness (the broker; a fake in unit tests)."""

    async def send(self, checkpoint: SignedCheckpoint) -> None: ...


class AmqpCheckpointSender:
    """Publish to `jumin.events` (``witness.checkpoint``): persistent, mandatory, confirmed.

    One connection per checkpoint: they are minutes apart, and a publisher holding no connection
    has none to lose in between.
    """

    def __init__(self, amqp_url: str) -> None:
        self._url = amqp_url

    async def send(self, checkpoint: SignedCheckpoint) -> None:
        """Publish and await the broker's confirm; raise CheckpointNotSent if it fails."""
        try:
            await self._publish(checkpoint)
        except (OSError, TimeoutError, AMQPError) as error:
            raise CheckpointNotSent(type(error).__name__) from error

    async def _publish(self, checkpoint: SignedCheckpoint) -> None:
        connection = await aio_pika.connect(self._url, timeout=10)
        async with connection:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            exchange = await channel.get_exchange(EVENTS_EXCHANGE, ensure=False)
            message = aio_pika.Message(
                checkpoint.model_dump_json().encode(),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=f"{checkpoint.log}:{checkpoint.seq}:{checkpoint.row_hash[:16]}",
                headers=dict(inject_headers({})),
            )
            await exchange.publish(message, routing_key=CHECKPOINT_ROUTING_KEY, mandatory=True)


@dataclass(frozen=True, kw_only=True)
class CheckpointPublisher:
    """Sign a log's head and send it to the witness."""

    log: AccessLog
    ring: SigningKeyRing
    sender: CheckpointSender
    clock: Callable[[], datetime] = _now
    tracer: trace.Tracer = field(default_factory=lambda: tracer)

    async def publish(self, head: Checkpoint) -> SignedCheckpoint:
        """Sign `head` as taken now and send it; return what was sent."""
        signed = self.ring.sign(self.log.table, head, taken_at=self.clock())
        attributes: dict[str, str | int] = {
            "messaging.system": "rabbitmq",
            "messaging.destination.name": EVENTS_EXCHANGE,
            "messaging.rabbitmq.destination.routing_key": CHECKPOINT_ROUTING_KEY,
            "jumin.access_log": signed.log,
            "jumin.access_log.seq": signed.seq,
        }
        with self.tracer.start_as_current_span(
            f"{CHECKPOINT_ROUTING_KEY} publish", kind=trace.SpanKind.PRODUCER, attributes=attributes
        ):
            await self.sender.send(signed)
        return signed

    async def publish_now(self, connection: AnyConnection) -> SignedCheckpoint:
        """Publish the log's current head (on demand: the API or `audit checkpoint --publish`)."""
        return await self.publish(await self.log.checkpoint(connection))


def head_reader(log: AccessLog, database_url: str) -> Callable[[], Awaitable[Checkpoint]]:
    """Return a look at the log's head on a connection of its own (one a tick, minutes apart)."""

    async def read() -> Checkpoint:
        connection = await asyncpg.connect(database_url)
        try:
            return await log.checkpoint(connection)
        finally:
            await connection.close()

    return read


@dataclass(kw_only=True)
class CheckpointLoop:
    """Publish the head every `interval_seconds` while `active()` and the head has moved.

    `active` lets a standby stay quiet (the registry's relay: only the leader publishes). A failed
    send is logged and tried again at the next tick.
    """

    publisher: CheckpointPublisher
    read_head: Callable[[], Awaitable[Checkpoint]]
    interval_seconds: float
    active: Callable[[], bool] = lambda: True
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    last: str | None = field(default=None, init=False)
    """The `seq:hash` of the head last published by this loop."""

    async def tick(self) -> SignedCheckpoint | None:
        """Publish the head if it moved since the last checkpoint; return what was published."""
        if not self.active():
            return None
        with untraced():  # an idle look leaves no span; a publish is traced below
            head = await self.read_head()
        if head.line == self.last:
            return None
        signed = await self.publisher.publish(head)
        self.last = head.line
        logger.info("access log checkpoint published: %s row %d", signed.log, signed.seq)
        return signed

    async def run_forever(self) -> None:
        """Tick until cancelled, riding out database and broker outages."""
        while True:
            try:
                await self.tick()
            except Exception as exc:  # the database or the broker is away: try again next tick
                logger.warning("access log checkpoint not published (%s)", type(exc).__name__)
            await self.sleep(self.interval_seconds)


class WitnessUnavailable(Exception):
    """The witness could not be asked for a checkpoint (down, or an answer that is not one)."""


class _Kept(BaseModel):
    """The witness's answer: the checkpoint and when it arrived there."""

    checkpoint: SignedCheckpoint
    received_at: datetime


class WitnessClient:
    """Read checkpoints from the witness's API (`GET /checkpoints/latest?log=…`)."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._transport = transport
        self._timeout = timeout_seconds

    async def latest(self, log: str) -> SignedCheckpoint | None:
        """Return the log's latest checkpoint (highest seq), None if the witness holds none."""
        async with httpx.AsyncClient(
            base_url=self._base_url, transport=self._transport, timeout=self._timeout
        ) as http:
            try:
                response = await http.get("/checkpoints/latest", params={"log": log})
            except httpx.HTTPError as error:
                raise WitnessUnavailable(
                    f"cannot reach the witness at {self._base_url} ({type(error).__name__})"
                ) from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise WitnessUnavailable(f"the witness answered {response.status_code}")
        try:
            return _Kept.model_validate_json(response.content).checkpoint
        except ValidationError:
            raise WitnessUnavailable(
                "the witness answered something that is not a checkpoint"
            ) from None


@dataclass(frozen=True)
class TailReport:
    """The chain's verdict and the checkpoint it was held against."""

    chain: ChainReport
    checkpoint: SignedCheckpoint | None
    checkpoint_problem: str | None = None
    """Why the latest checkpoint was not used: forged signature, another log's."""

    @property
    def ok(self) -> bool:
        """Tell whether the chain is intact, reaches the checkpoint, and the checkpoint is sound."""
        return self.chain.ok and self.checkpoint_problem is None

    @property
    def used(self) -> list[Checkpoint]:
        """The witness's checkpoint the chain was held against (none if absent or refused)."""
        if self.checkpoint is None or self.checkpoint_problem is not None:
            return []
        return [self.checkpoint.checkpoint]


async def verify_with_witness(
    log: AccessLog,
    connection: AnyConnection,
    latest: SignedCheckpoint | None,
    ring: VerifyingKeyRing,
    expect: Sequence[Checkpoint] = (),
) -> TailReport:
    """Verify the chain against the latest checkpoint if its signature holds (and `expect`).

    A checkpoint that fails its signature (or names another log) is reported and not used: it
    proves nothing, and a forged one must not make a truncated log look whole, nor a whole one
    look truncated.
    """
    problem = None
    if latest is not None:
        problem = (
            f"checkpoint {latest.seq} names {latest.log}, not {log.table}"
            if latest.log != log.table
            else ring.problem(latest)
        )
    report = TailReport(
        chain=ChainReport(ok=True, rows=0), checkpoint=latest, checkpoint_problem=problem
    )
    chain = await log.verify(connection, [*expect, *report.used])
    return replace(report, chain=chain)
