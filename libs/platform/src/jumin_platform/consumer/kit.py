"""The consumer kit's composition root: one object an adapter builds, starts and stops.

kit = ConsumerKit(
    recipient="cs", schema="cs_adapter",
    amqp_url=settings.amqp_url, database_url=settings.database_url,
    handler=deliver_to_cs, models=MESSAGE_MODELS.values(),
)
await kit.run()                      # or start() / stop() from a FastAPI lifespan
app.include_router(operator_router(kit))

Parked messages are applied right after their predecessor, at start-up, and by a sweep every
`sweep_interval` seconds while running: a drain that failed unexpectedly (rolled back, the person
not blocked) would otherwise leave the person stalled until a restart, their later messages
parking behind it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from typing import Any

import asyncpg
from faststream.rabbit import RabbitBroker
from jumin_contracts.messages import RecipientMessage

from jumin_platform.consumer.dead_letters import DeadLetterQueue
from jumin_platform.consumer.inbox import PgStore
from jumin_platform.consumer.messages import ModelIndex
from jumin_platform.consumer.operations import NotRunning, Operations
from jumin_platform.consumer.processing import Handler, Processor
from jumin_platform.consumer.schema import check_identifier
from jumin_platform.consumer.transport import BrokerOutlet, Subscription, make_broker
from jumin_platform.db import create_pool
from jumin_platform.telemetry import untraced
from jumin_platform.topology import Recipient, Topology, topology_from_env

__all__ = ["ConsumerKit"]

logger = logging.getLogger(__name__)

_NOT_RUNNING = (
    "受信処理が停止しています。起動後に再度実行してください。 "
    "(The consumer is not running; try again once it has started.)"
)

MAX_CONNECTIONS = 16
"""Upper bound of a kit's pool (five kits at prefetch 32 would otherwise ask for 170)."""

Models = Mapping[str, type[RecipientMessage]] | Iterable[type[RecipientMessage]]


class ConsumerKit:
    """Consume one recipient's queue(s) in order, once, with retries, parking and dead letters."""

    def __init__(
        self,
        *,
        recipient: str,
        schema: str,
        amqp_url: str,
        database_url: str,
        handler: Handler,
        models: Models,
        topology: Topology | None = None,
        prefetch: int = 32,
        requeue_delay: float = 1.0,
        partitions: Sequence[int] | None = None,
        sweep_interval: float = 30.0,
    ) -> None:
        if not sweep_interval > 0:  # also refuses NaN
            raise ValueError(f"sweep_interval must be > 0 seconds, not {sweep_interval!r}")
        self.topology = topology or topology_from_env()
        #: `partitions`: in scale-out mode, the partitions this replica consumes (default all).
        self.recipient = _recipient(self.topology, recipient).assign(partitions)
        self.schema = check_identifier(schema)
        self.models = ModelIndex(recipient, _model_list(models))
        self._amqp_url = amqp_url
        self._database_url = database_url
        self._handler = handler
        self._prefetch = prefetch
        self._requeue_delay = requeue_delay
        self._sweep_interval = sweep_interval
        self._sweeper: asyncio.Task[None] | None = None
        self._pool: asyncpg.Pool[Any] | None = None
        self._broker: RabbitBroker | None = None
        self._operations: Operations | None = None
        self._stopped = asyncio.Event()

    @property
    def operations(self) -> Operations:
        """The operator use cases (available once started)."""
        if self._operations is None:
            raise NotRunning(_NOT_RUNNING)
        return self._operations

    async def start(self) -> None:
        """Connect, start consuming, and apply parked messages a crash may have left ready."""
        if self._broker is not None:
            raise RuntimeError("ConsumerKit is already started")
        queues = len(self.recipient.consumer_queues)
        # One batch transaction at a time, plus drains of parked messages, the sweep and the
        # operator API: more connections than messages in flight would sit idle.
        connections = min(self._prefetch * queues, MAX_CONNECTIONS - 2) + 2
        self._pool = await create_pool(self._database_url, max_size=connections)
        self._broker = make_broker(self._amqp_url, prefetch=self._prefetch)
        store = PgStore(self._pool, self.schema)
        subscription = self._wire(store, self._broker)
        self._stopped.clear()
        try:
            await self._broker.start()
            await _drain_ready(store, subscription)
            self._sweeper = asyncio.create_task(self._sweep(store, subscription))
        except BaseException:
            await self.stop()
            raise
        logger.info("consuming %s", ", ".join(self.recipient.consumer_queues))

    def _wire(self, store: PgStore, broker: RabbitBroker) -> Subscription:
        """Build processor, subscription and operator use cases around one store and broker."""
        delays = self.topology.retry_delays
        outlet = BrokerOutlet(broker, self.recipient, retry_delays=delays)
        processor = Processor(
            store=store,
            outlet=outlet,
            handler=self._handler,
            models=self.models,
            retry_delays=delays,
            parked_failure_limit=self.topology.delivery_limit,
        )
        subscription = Subscription(
            processor=processor,
            outlet=outlet,
            recipient=self.recipient,
            requeue_delay=self._requeue_delay,
            prefetch=self._prefetch,
        )
        subscription.attach(broker)
        dead = DeadLetterQueue(self._amqp_url, self.recipient.dead_queue)
        self._operations = Operations(store=store, dead=dead, outlet=outlet, processor=processor)
        return subscription

    async def _sweep(self, store: PgStore, subscription: Subscription) -> None:
        """Apply ready parked messages every `sweep_interval` seconds, until cancelled."""
        while True:
            await asyncio.sleep(self._sweep_interval)
            try:
                await _drain_ready(store, subscription)
            except Exception as exc:  # an outage: the next sweep tries again
                logger.error("sweep for ready parked messages failed: %s", type(exc).__name__)

    async def stop(self) -> None:
        """Stop sweeping and consuming (in-flight messages finish), then close broker and pool."""
        broker, pool, sweeper = self._broker, self._pool, self._sweeper
        self._broker = self._pool = self._operations = self._sweeper = None
        try:
            if sweeper is not None:
                sweeper.cancel()
                await asyncio.gather(sweeper, return_exceptions=True)
            if broker is not None:
                await broker.stop()
        finally:
            if pool is not None:
                await pool.close()
            self._stopped.set()

    async def run(self) -> None:
        """Start and consume until `stop()` is called."""
        await self.start()
        await self._stopped.wait()


async def _drain_ready(store: PgStore, subscription: Subscription) -> None:
    """Apply the parked messages of every person whose next one is parked and not blocked.

    Each person's drain runs to its end even when the caller is cancelled (`stop()`), so a
    handler's effect is not cut off halfway; a failed drain is logged and left for the next sweep.
    """
    with untraced():  # a sweep that finds nobody leaves no span
        ready = await store.fetch(store.sql.ready_persons)
    if ready:
        logger.info("%d people with ready parked messages", len(ready))
    for row in ready:
        await _uninterrupted(subscription.drain(row["person_key"]))


async def _uninterrupted(drain: Coroutine[Any, Any, None]) -> None:
    """Await `drain`; if cancelled meanwhile, let it finish first, then pass the cancellation on."""
    task = asyncio.ensure_future(drain)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


def _recipient(topology: Topology, name: str) -> Recipient:
    for recipient in topology.recipients:
        if recipient.name == name:
            return recipient
    known = ", ".join(r.name for r in topology.recipients)
    raise ValueError(f"unknown recipient {name!r} (the topology has {known})")


def _model_list(models: Models) -> list[type[RecipientMessage]]:
    if isinstance(models, Mapping):
        return list(models.values())
    return list(models)
