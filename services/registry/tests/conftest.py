"""Fixtures shared by the registry's tests: real PostgreSQL, the app, staff tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlparse

import asyncpg
import httpx
import pytest
from jumin_platform.db import create_pool
from jumin_platform.devkeys import issue_token
from jumin_platform.my_number_vault import generate_key_file, load_vault
from registry.adapters.address_dictionary import PostalAddressBook
from registry.bootstrap import Registry
from registry.config import Settings
from registry.entrypoints.api.app import create_app

TABLES = (
    "registry.resident_current, registry.resident_history, registry.households, "
    "registry.support_measures, registry.outbox_sequences, registry.changes, "
    "registry.command_inbox, registry.work_items, registry.juminhyo_code_pool, registry.gaiji"
)


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Read the test settings; `make test` points them at the jumin_test database."""
    return Settings()


@pytest.fixture(scope="session")
def addresses() -> PostalAddressBook:
    """Load the ward's address dictionary once."""
    return PostalAddressBook(prefecture="東京都", ward="新宿区")


def _database_name(dsn: str) -> str:
    return urlparse(dsn).path.lstrip("/")


@pytest.fixture
async def clean_db(settings: Settings) -> None:
    """Empty the registry's tables (as the schema owner) so each test starts from nothing."""
    owner_dsn = settings.migration_database_url.get_secret_value()
    if "test" not in _database_name(owner_dsn):
        pytest.fail("integration tests run only against a *test* database (use `make test`)")
    connection = await asyncpg.connect(owner_dsn)
    try:
        await connection.execute(f"TRUNCATE {TABLES} CASCADE")
        await connection.execute("ALTER SEQUENCE registry.atena_seq RESTART")
        await connection.execute("ALTER SEQUENCE registry.household_seq RESTART")
    finally:
        await connection.close()


@pytest.fixture
async def owner_connection(settings: Settings, clean_db: None) -> AsyncIterator[Any]:
    """Connect as the schema owner, for checks that bypass the API and the service role."""
    connection = await asyncpg.connect(settings.migration_database_url.get_secret_value())
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def registry(
    settings: Settings, addresses: PostalAddressBook, clean_db: None
) -> AsyncIterator[Registry]:
    """Build the composition root on the service role's pool."""
    pool = await create_pool(settings.database_url.get_secret_value(), min_size=1, max_size=4)
    try:
        generate_key_file(settings.my_number_key_file)
        vault = load_vault(settings.my_number_key_file)
        yield Registry(settings=settings, pool=pool, addresses=addresses, vault=vault)
    finally:
        await pool.close()


@pytest.fixture
def token(settings: Settings) -> Callable[..., str]:
    """Issue a development token: token('clerk01', 'clerk')."""
    private_key = settings.jwt_private_key_file.read_text()

    def issue(sub: str, *roles: str) -> str:
        return issue_token(
            private_key_pem=private_key,
            sub=sub,
            roles=list(roles),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )

    return issue


@pytest.fixture
async def client(settings: Settings, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    """Serve the real app (with its lifespan) to an httpx client, without a network port."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            yield http
