"""The outbox relay: one active instance publishes outbox rows; others stand by (docs/architecture.md).

Leadership is a session-level PostgreSQL advisory lock: when the active relay dies its session
ends, the lock is released and a standby takes over at its next attempt. The active relay wakes on
LISTEN/NOTIFY (the outbox trigger) and polls as a safety net. A row is marked published only after
the broker confirmed it; a crash between confirm and mark republishes it (consumers deduplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from jumin_platform.my_number_vault import MyNumberVault
from jumin_platform.telemetry import untraced

from registry.adapters.outbox import Outbox
from registry.adapters.publisher import EventPublisher

logger = logging.getLogger("registry.relay")

LOCK_KEY = "registry.outbox.relay"
CHANNEL = "registry_outbox"


@dataclass(frozen=True, kw_only=True)
class RelayConfig:
    """How the relay connects and paces itself."""

    database_url: str
    amqp_url: str
    poll_seconds: float = 2.0
    batch_size: int = 200
    retry_seconds: float = 1.0


class OutboxRelay:
    """Publish the outbox while holding leadership; stand by otherwise."""

    def __init__(
        self, config: RelayConfig, vault: MyNumberVault, clock: Callable[[], datetime]
    ) -> None:
        self._config = config
        self._vault = vault
        self._clock = clock
        self._wake = asyncio.Event()
        self.is_leader = False

    async def run_forever(self) -> None:
        """Run until cancelled, surviving database and broker restarts."""
        while True:
            try:
                await self._run_once()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("relay lost a connection (%s); retrying", type(exc).__name__)
            except Exception as exc:  # the broker refused or vanished: back off and reconnect
                logger.warning("relay failed (%s); retrying", type(exc).__name__)
            await asyncio.sleep(self._config.retry_seconds)

    async def _run_once(self) -> None:
        connection = await asyncpg.connect(self._config.database_url)
        try:
            await self._become_leader(connection)
            await connection.add_listener(CHANNEL, self._notified)
            publisher = EventPublisher(self._config.amqp_url)
            await publisher.open()
            try:
                await self._publish_loop(connection, publisher)
            finally:
                await publisher.close()
        finally:
            # Also when cancelled: closing the session gives up the lock, so stop claiming it.
            self.is_leader = False
            await connection.close()

    async def _become_leader(self, connection: asyncpg.Connection[Any]) -> None:
        # Standby: try the lock at each poll (untraced); the leader's session ending releases it.
        while True:
            with untraced():
                leader = await connection.fetchval(
                    "SELECT pg_try_advisory_lock(hashtext($1))", LOCK_KEY
                )
            if leader:
                break
            await asyncio.sleep(self._config.poll_seconds)
        self.is_leader = True
        logger.info("relay is active")

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def _publish_loop(
        self, connection: asyncpg.Connection[Any], publisher: EventPublisher
    ) -> None:
        outbox = Outbox(connection, self._vault)
        while True:
            self._wake.clear()
            with untraced():  # an empty poll leaves no span; each row's publish continues its trace
                rows = await outbox.unpublished(self._config.batch_size)
            if rows:
                confirmed, failure = await publisher.publish_batch(rows)
                if confirmed:
                    await outbox.mark_published(confirmed, at=self._clock())
                if failure is not None:
                    raise failure
                continue
            # The periodic poll is the safety net: a lost NOTIFY cannot strand a row.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._config.poll_seconds)
