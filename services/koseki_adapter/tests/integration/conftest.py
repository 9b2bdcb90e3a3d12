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

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from jumin_testing.adapter_fixtures import (
    db_fixture,
    sandbox_fixture,
    staff_keys,
    test_settings,
    trace_file_fixture,
)
from jumin_testing.adapter_harness import (
    RegistrySide,
    Running,
    StartApp,
    app_starter,
    registry_side,
)
from jumin_testing.broker import Sandbox
from koseki_adapter.bootstrap import Overrides
from koseki_adapter.config import Settings
from koseki_adapter.entrypoints.api.app import create_app

from ..simulated import Simulated, simulated

__all__ = ["TABLES", "Db", "RegistrySide", "Running", "StartAdapter", "adapter_app"]

TABLES = (
    "inbox, person_progress, parked, operator_actions, deliveries, manual_mode_history, "
    "notifications, consistency_checks"
)
Db = asyncpg.Connection


sandbox = sandbox_fixture("jumin_koseki_test")
trace_file = trace_file_fixture("koseki-adapter")
db = db_fixture("koseki_adapter", TABLES)


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return staff_keys(tmp_path_factory)


@pytest.fixture(scope="session")
def settings(sandbox: Sandbox, keys: Path, trace_file: Path) -> Settings:
    return test_settings(Settings(), sandbox, "jumin_koseki_adapter", keys, poll_interval=0.1)


@pytest.fixture
async def system() -> AsyncIterator[Simulated]:
    """A fresh 戸籍附票システム simulator per test."""
    async with simulated() as s:
        yield s


StartAdapter = StartApp


@pytest.fixture
async def start_adapter(
    settings: Settings, sandbox: Sandbox, system: Simulated, keys: Path, db: Db
) -> AsyncIterator[StartAdapter]:
    """Start the adapter (settings may be changed per test); stopped after the test."""

    def build(**changes: Any) -> FastAPI:
        return adapter_app(settings, sandbox, system, **changes)

    async with app_starter(build, "http://koseki-adapter", settings, keys) as start:
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
