"""Composition root: build what the API, the outbox relay and the commands consumer need, once.

Each process of the registry (`jumin-registry serve | relay | commands`) starts here and nowhere
else: `open_registry` loads the keys, the recipient policy (checked against the contracts, so a
policy that would disclose a wrong field stops the start) and the address dictionary, and opens
the pool; `relay` and `commands_consumer` build the two background processes from the same
settings. Tests build a `Registry` themselves or replace parts through `Overrides`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

import asyncpg
from fastapi import FastAPI
from jumin_platform.access_log import AccessLog
from jumin_platform.access_log_cli import Witness
from jumin_platform.checkpoint_signing import load_signing_ring, load_verifying_ring
from jumin_platform.checkpoint_witness import (
    AmqpCheckpointSender,
    CheckpointLoop,
    CheckpointPublisher,
    head_reader,
)
from jumin_platform.db import create_pool
from jumin_platform.my_number_vault import MyNumberVault, load_vault

from registry.adapters.address_dictionary import PostalAddressBook
from registry.config import Settings
from registry.domain.addresses import AddressBook
from registry.domain.recipient_policy import RecipientPolicy
from registry.domain.register_time import WARD_TIME, ReadPoint, read_point
from registry.entrypoints.commands_consumer import CommandConsumer, ConsumerConfig
from registry.entrypoints.relay import OutboxRelay, RelayConfig
from registry.policy import load_policy
from registry.service_layer.publication import Publication
from registry.service_layer.unit_of_work import UnitOfWork


def ward_now() -> datetime:
    """Return the current time (処理日時) in Japan time, so ``.date()`` is the ward's today."""
    return datetime.now(UTC).astimezone(WARD_TIME)


ACCESS_LOG = AccessLog("registry.access_log")


@dataclass
class Registry:
    """Hold what every request needs: the pool, the address dictionary, the keys, the clock."""

    settings: Settings
    pool: asyncpg.Pool[Any]
    addresses: AddressBook
    vault: MyNumberVault
    clock: Callable[[], datetime] = ward_now
    access_log: AccessLog = ACCESS_LOG

    @cached_property
    def policy(self) -> RecipientPolicy:
        """Return the recipient policy for the configured ward (read and checked once), limited
        to the recipients the broker routes (`Settings.routed_recipients`)."""
        return load_policy(ward=self.settings.ward).only(self.settings.routed_recipients)

    @cached_property
    def checkpoints(self) -> CheckpointPublisher:
        """Return the publisher of signed access-log checkpoints (the key ring read once)."""
        return checkpoint_publisher(self.settings)

    @property
    def publication(self) -> Publication:
        """Return what approvals need to tell recipients (policy + sealing keys)."""
        return Publication(policy=self.policy, vault=self.vault)

    def read_point(self, *, on: date | None = None, known_at: datetime | None = None) -> ReadPoint:
        """Return where a read looks: what it asks for, else the ward's today and every
        approved row (the one meaning of "now" for reads, registry.domain.register_time)."""
        return read_point(self.clock(), on=on, known_at=known_at)

    def uow(self) -> UnitOfWork:
        """Start a new unit of work on the pool."""
        return UnitOfWork(self.pool, self.vault, self.publication)

    async def close(self) -> None:
        """Close the pool."""
        await self.pool.close()


@dataclass(frozen=True, kw_only=True)
class Overrides:
    """What tests replace: the clock (a fixed or moving 'now'), the address dictionary."""

    clock: Callable[[], datetime] | None = None
    addresses: AddressBook | None = None


def address_book(settings: Settings) -> AddressBook:
    """Load the ward's 住所辞書; refuse a ward code that is not the named ward's."""
    ward = settings.ward
    book = PostalAddressBook(prefecture=ward.prefecture, ward=ward.name)
    if book.municipality_code != ward.code:
        raise ValueError(
            f"JUMIN_REGISTRY_WARD_CODE {ward.code} is not the 地方公共団体コード of "
            f"{ward.prefecture}{ward.name} ({book.municipality_code})"
        )
    return book


async def open_registry(settings: Settings, overrides: Overrides | None = None) -> Registry:
    """Build the registry with its pool open; the policy is checked before anything is served."""
    overrides = overrides or Overrides()
    addresses = overrides.addresses or address_book(settings)
    vault = load_vault(settings.my_number_key_file)
    pool = await create_pool(
        settings.database_url.get_secret_value(),
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
    )
    registry = Registry(
        settings=settings,
        pool=pool,
        addresses=addresses,
        vault=vault,
        clock=overrides.clock or ward_now,
    )
    try:
        registry.policy  # noqa: B018 - read and checked now: a wrong policy must stop the start
    except BaseException:
        await pool.close()
        raise
    return registry


def relay(settings: Settings) -> OutboxRelay:
    """Build the outbox relay (its own session: leadership is a session-level advisory lock)."""
    config = RelayConfig(
        database_url=settings.database_url.get_secret_value(),
        amqp_url=settings.amqp_url.get_secret_value(),
        poll_seconds=settings.relay_poll_seconds,
        batch_size=settings.relay_batch_size,
    )
    return OutboxRelay(config, load_vault(settings.my_number_key_file), ward_now)


def checkpoint_publisher(settings: Settings) -> CheckpointPublisher:
    """Sign the access log's head with the checkpoint key ring and send it to the witness."""
    return CheckpointPublisher(
        log=ACCESS_LOG,
        ring=load_signing_ring(settings.checkpoint_key_file),
        sender=AmqpCheckpointSender(settings.amqp_url.get_secret_value()),
    )


def witness(settings: Settings) -> Witness:
    """Where `audit checkpoint --publish` sends and `audit verify` reads checkpoints."""
    return Witness(
        url=settings.witness_url,
        verifying=lambda: load_verifying_ring(settings.checkpoint_public_key_file),
        publisher=lambda: checkpoint_publisher(settings),
    )


async def run_relay(settings: Settings) -> None:
    """Run the outbox relay and, while it leads, the interval checkpoint publisher (`relay`).

    Only the active relay publishes checkpoints (the standby's loop stays idle), so two relays
    do not send each checkpoint twice; `checkpoint_interval_seconds` 0 leaves them on demand.
    """
    outbox = relay(settings)
    if settings.checkpoint_interval_seconds <= 0:
        await outbox.run_forever()
        return
    checkpoints = CheckpointLoop(
        publisher=checkpoint_publisher(settings),
        read_head=head_reader(ACCESS_LOG, settings.database_url.get_secret_value()),
        interval_seconds=settings.checkpoint_interval_seconds,
        active=lambda: outbox.is_leader,
    )
    await asyncio.gather(outbox.run_forever(), checkpoints.run_forever())


def commands_consumer(registry: Registry) -> CommandConsumer:
    """Build the consumer of registry.in on the registry's pool, clock and dictionary."""
    return CommandConsumer(
        ConsumerConfig(amqp_url=registry.settings.amqp_url.get_secret_value()),
        uow=registry.uow,
        clock=registry.clock,
        addresses=registry.addresses,
        access_log=registry.access_log,
    )


async def run_commands_consumer(settings: Settings) -> None:
    """Consume registry.in until cancelled (`jumin-registry commands`)."""
    registry = await open_registry(settings)
    try:
        await commands_consumer(registry).run_forever()
    finally:
        await registry.close()


@asynccontextmanager
async def registry_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the registry when the app starts and close it when it stops."""
    app.state.registry = await open_registry(app.state.settings, app.state.overrides)
    try:
        yield
    finally:
        await app.state.registry.close()
