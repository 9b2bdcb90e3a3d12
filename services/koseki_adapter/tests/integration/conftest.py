"""Real PostgreSQL and RabbitMQ, the real 戸籍附票システム simulator app in-process, and the adapter
app running in-process.

- Database: the koseki_adapter schema of a *test* database, through the settings the environment
  gives (`deploy/local/with-env.sh jumin_test …` after `deploy/local/provision.sh jumin_test`);
  every table is emptied before each test, as the owner role.
- Broker: a throwaway vhost `jumin_koseki_test_<hex>` carrying Jumin's topology with the real
  users' permissions (`jumin_testing.broker`): the adapter consumes as the least-privileged
  `jumin_koseki_adapter`. Queues are purged before each test; the vhost is deleted at the end.
- 戸籍附票システム: `koseki_simulator`'s app behind httpx's ASGI transport (`..simulated`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from jumin_platform.topology import Topology
from jumin_testing import adapter_fixtures
from jumin_testing.adapter_harness import RegistrySide, Running, registry_side, running_app
from jumin_testing.broker import Sandbox, sandbox_vhost
from koseki_adapter.bootstrap import Overrides
from koseki_adapter.config import Settings
from koseki_adapter.entrypoints.api.app import create_app
from pydantic import SecretStr

from ..simulated import Simulated, simulated

__all__ = ["TABLES", "Db", "RegistrySide", "Running", "StartAdapter", "adapter_app"]

TABLES = (
    "inbox, person_progress, parked, operator_actions, deliveries, manual_mode_history, "
    "notifications, consistency_checks"
)
Db = asyncpg.Connection


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[Sandbox]:
    """A vhost with the topology and the real users' permissions, for this test session."""
    async with sandbox_vhost(Topology(), prefix="jumin_koseki_test") as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def trace_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Spans of this test session (JSON lines), for the no-personal-data check."""
    return adapter_fixtures.trace_file(tmp_path_factory, "koseki-adapter-test")


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return adapter_fixtures.token_keys(tmp_path_factory)


@pytest.fixture(scope="session")
def settings(sandbox: Sandbox, keys: Path, trace_file: Path) -> Settings:
    base = Settings()
    adapter_fixtures.require_test_database(base.migration_database_url.get_secret_value())
    return base.model_copy(
        update={
            "amqp_url": SecretStr(sandbox.url("jumin_koseki_adapter")),
            "jwt_public_key_file": keys / "public.pem",
            "poll_interval": 0.1,
        }
    )


@pytest.fixture
async def db(settings: Settings, sandbox: Sandbox) -> AsyncIterator[Db]:
    """The owner's connection, on emptied tables and purged queues."""
    await sandbox.purge_queues()
    connection = await adapter_fixtures.emptied_schema(
        settings.migration_database_url.get_secret_value(),
        "koseki_adapter",
        TABLES.split(", "),
        resets="UPDATE manual_mode SET manual = false, changed_by = NULL, reason = NULL;"
        "UPDATE notification_cursor SET cursor = 0",
    )
    yield connection
    await connection.close()


@pytest.fixture
async def system() -> AsyncIterator[Simulated]:
    """A fresh 戸籍附票システム simulator per test."""
    async with simulated() as s:
        yield s


StartAdapter = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_adapter(
    settings: Settings, sandbox: Sandbox, system: Simulated, keys: Path, db: Db
) -> AsyncIterator[StartAdapter]:
    """Start the adapter (settings may be changed per test); stopped after the test."""
    async with AsyncExitStack() as stack:

        async def start(**changes: Any) -> Running:
            app = adapter_app(settings, sandbox, system, **changes)
            client = await stack.enter_async_context(running_app(app, "http://koseki-adapter"))
            return Running(client, settings, keys)

        yield start


def adapter_app(settings: Settings, sandbox: Sandbox, system: Simulated, **changes: Any) -> FastAPI:
    """The adapter's app on the sandbox vhost and the simulator (settings changed by `changes`)."""
    return create_app(
        settings.model_copy(update=changes),
        Overrides(fuhyo_transport=system.transport(), topology=sandbox.topology),
    )


@pytest.fixture
async def adapter(start_adapter: StartAdapter) -> Running:
    return await start_adapter()


@pytest.fixture
async def registry(sandbox: Sandbox, db: Db) -> AsyncIterator[RegistrySide]:
    async with registry_side(sandbox) as side:
        yield side
