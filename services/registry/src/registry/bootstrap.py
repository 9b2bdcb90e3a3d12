"""Composition root: build settings, pool, address book and token verifier once, hand them down."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from fastapi import FastAPI
from jumin_platform.access_log import AccessLog
from jumin_platform.auth import TokenVerifier
from jumin_platform.db import create_pool
from jumin_platform.my_number_vault import MyNumberVault, load_vault

from registry.adapters.address_dictionary import PostalAddressBook
from registry.config import Settings
from registry.domain.addresses import AddressBook
from registry.domain.recipient_policy import RecipientPolicy
from registry.policy import load_policy
from registry.service_layer.publication import Publication
from registry.service_layer.unit_of_work import UnitOfWork

WARD_TIME = ZoneInfo("Asia/Tokyo")


def ward_now() -> datetime:
    """Return the current time (処理日時) in Japan time, so ``.date()`` is the ward's today."""
    return datetime.now(UTC).astimezone(WARD_TIME)


ACCESS_LOG = AccessLog("registry.access_log")


@dataclass
class Registry:
    """Hold what every request needs: the pool, the address dictionary, the clock."""

    settings: Settings
    pool: asyncpg.Pool[Any]
    addresses: AddressBook
    vault: MyNumberVault
    clock: Callable[[], datetime] = ward_now
    access_log: AccessLog = ACCESS_LOG
    policy: RecipientPolicy = field(default_factory=load_policy)

    @property
    def publication(self) -> Publication:
        """Return what approvals need to tell recipients (policy + sealing keys)."""
        return Publication(policy=self.policy, vault=self.vault)

    def uow(self) -> UnitOfWork:
        """Start a new unit of work on the pool."""
        return UnitOfWork(self.pool, self.vault, self.publication)


def token_verifier(settings: Settings) -> TokenVerifier:
    """Build the verifier of staff tokens from the configured public key."""
    return TokenVerifier(
        public_keys=[settings.jwt_public_key_file.read_text()],
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )


def address_book(settings: Settings) -> AddressBook:
    """Load the ward's 住所辞書 from postal data."""
    return PostalAddressBook(prefecture=settings.prefecture, ward=settings.ward_name)


@asynccontextmanager
async def registry_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the pool when the app starts and close it when it stops."""
    settings: Settings = app.state.settings
    pool = await create_pool(
        settings.database_url.get_secret_value(),
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
    )
    app.state.registry = Registry(
        settings=settings,
        pool=pool,
        addresses=address_book(settings),
        vault=load_vault(settings.my_number_key_file),
    )
    try:
        yield
    finally:
        await pool.close()
