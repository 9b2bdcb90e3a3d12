"""Real PostgreSQL and RabbitMQ, the real 出入国在留管理庁 simulator app in-process, and the
service's app running in-process on a clock the test moves.

- Database: the moj_notify schema of a *test* database, through the settings the environment
  gives (`deploy/local/with-env.sh jumin_test …` after `deploy/local/provision.sh jumin_test`);
  every table is emptied before each test, as the owner role.
- Broker: a throwaway vhost `jumin_moj_test_<hex>` carrying Jumin's topology with the real users'
  permissions (`jumin_testing.broker`): the service consumes as the least-privileged
  `jumin_moj_notify`. Queues are purged before each test; the vhost is deleted at the end.
- 連携サーバ: `moj_simulator`'s app behind httpx's ASGI transport (`..simulated`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
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
from moj_notify.bootstrap import Overrides
from moj_notify.config import Settings
from moj_notify.entrypoints.api.app import create_app

from ..simulated import Simulated, simulated

__all__ = ["TABLES", "Clock", "Db", "RegistrySide", "Running", "StartService", "service_app"]

TABLES = (
    *("inbox", "person_progress", "parked", "operator_actions", "deliveries"),
    *("manual_mode_history", "notifications", "scheduled_notices", "person_blocks"),
    *("results", "result_worklist", "director_notices"),
)
Db = asyncpg.Connection


class Clock:
    """The service's clock: real time moved by what the test adds."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> None:
        self.offset += by


sandbox = sandbox_fixture("jumin_moj_test")
trace_file = trace_file_fixture("moj-notify")
db = db_fixture("moj_notify", TABLES)


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return staff_keys(tmp_path_factory)


@pytest.fixture(scope="session")
def settings(sandbox: Sandbox, keys: Path, trace_file: Path) -> Settings:
    fast = {"retry_first": 0.05, "retry_most": 0.2, "idle_wake": 1.0, "poll_interval": 0.05}
    return test_settings(Settings(), sandbox, "jumin_moj_notify", keys, **fast)


@pytest.fixture
async def system() -> AsyncIterator[Simulated]:
    """A fresh 連携サーバ simulator per test."""
    async with simulated() as s:
        yield s


@pytest.fixture
def clock() -> Clock:
    return Clock()


StartService = StartApp


@pytest.fixture
async def start_service(
    settings: Settings, sandbox: Sandbox, system: Simulated, keys: Path, clock: Clock, db: Db
) -> AsyncIterator[StartService]:
    """Start the service (settings may be changed per test); stopped after the test."""

    def build(**changes: Any) -> FastAPI:
        return service_app(settings, sandbox, system, clock, **changes)

    async with app_starter(build, "http://moj-notify", settings, keys) as start:
        yield start


def service_app(
    settings: Settings, sandbox: Sandbox, system: Simulated, clock: Clock, **changes: Any
) -> FastAPI:
    """The service's app on the sandbox vhost, the simulator and the test's clock."""
    return create_app(
        settings.model_copy(update=changes),
        Overrides(moj_transport=system.transport(), topology=sandbox.topology, clock=clock),
    )


@pytest.fixture
async def service(start_service: StartService) -> Running:
    return await start_service()


@pytest.fixture
async def registry(sandbox: Sandbox, db: Db) -> AsyncIterator[RegistrySide]:
    async with registry_side(sandbox) as side:
        yield side
