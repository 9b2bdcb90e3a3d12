"""The inbound side against real PostgreSQL and RabbitMQ, the ministry's simulator in-process.

- Database: the moj_notify schema of a *test* database (`deploy/local/with-env.sh jumin_test_…`);
  every table is emptied before each test, as the owner role.
- Broker: a throwaway vhost carrying Jumin's topology with the real users' permissions: the
  service consumes and publishes as the least-privileged `jumin_moj_notify`.
- 連携サーバ: `moj_simulator`'s app behind httpx's ASGI transport; results come only when a test
  injects them (`/sim/results`), so each test decides what the ministry answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from jumin_platform.topology import Topology
from jumin_testing import adapter_fixtures
from jumin_testing.adapter_harness import RegistrySide, Running, registry_side, running_app
from jumin_testing.broker import Sandbox, sandbox_vhost
from moj_notify.bootstrap import Overrides
from moj_notify.config import Settings
from moj_notify.entrypoints.api.app import create_app
from moj_simulator.config import Settings as SimulatorSettings
from moj_simulator.entrypoints.app import create_app as create_simulator
from pydantic import SecretStr

TABLES = (
    *("inbox", "person_progress", "parked", "operator_actions", "deliveries"),
    *("manual_mode_history", "notifications", "scheduled_notices", "person_blocks"),
    *("results", "result_worklist", "director_notices"),
)
Db = asyncpg.Connection


@dataclass
class Ministry:
    """The simulator app and a client of its test side (`/sim/*`)."""

    app: FastAPI
    sim: httpx.AsyncClient

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app)

    async def result(self, **result: Any) -> None:
        answer = await self.sim.post("/sim/results", json=result)
        assert answer.status_code == 201, answer.text

    async def director_notice(self, **notice: Any) -> None:
        answer = await self.sim.post("/sim/director-notices", json=notice)
        assert answer.status_code == 201, answer.text

    async def received(self, **query: str) -> list[dict[str, Any]]:
        answer = await self.sim.get("/sim/received", params=query)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[Sandbox]:
    async with sandbox_vhost(Topology(), prefix="jumin_moj_in_test") as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def trace_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return adapter_fixtures.trace_file(tmp_path_factory, "moj-notify-inbound-test")


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return adapter_fixtures.token_keys(tmp_path_factory)


@pytest.fixture(scope="session")
def settings(sandbox: Sandbox, keys: Path, trace_file: Path) -> Settings:
    base = Settings()
    adapter_fixtures.require_test_database(base.migration_database_url.get_secret_value())
    return base.model_copy(
        update={
            "amqp_url": SecretStr(sandbox.url("jumin_moj_notify")),
            "jwt_public_key_file": keys / "public.pem",
            "poll_interval": 0.05,
            "retry_first": 0.05,
        }
    )


@pytest.fixture
async def db(settings: Settings, sandbox: Sandbox) -> AsyncIterator[Db]:
    """The owner's connection, on emptied tables and purged queues."""
    await sandbox.purge_queues()
    connection = await adapter_fixtures.emptied_schema(
        settings.migration_database_url.get_secret_value(),
        "moj_notify",
        TABLES,
        resets="UPDATE manual_mode SET manual = false, changed_by = NULL, reason = NULL;"
        "UPDATE notification_cursor SET cursor = 0",
    )
    yield connection
    await connection.close()


@pytest.fixture
async def ministry() -> AsyncIterator[Ministry]:
    """A fresh 連携サーバ per test; no result comes by itself (a day's delay)."""
    app = create_simulator(SimulatorSettings(timeout_hang=0.2, seed=7, result_delay=86_400))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://moj"
    ) as sim:
        yield Ministry(app, sim)


StartService = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_service(
    settings: Settings, sandbox: Sandbox, ministry: Ministry, keys: Path, db: Db
) -> AsyncIterator[StartService]:
    """Start the service (settings may be changed per test); stopped after the test."""
    async with AsyncExitStack() as stack:

        async def start(**changes: Any) -> Running:
            app = service_app(settings, sandbox, ministry, **changes)
            client = await stack.enter_async_context(running_app(app, "http://moj-notify"))
            return Running(client, settings, keys)

        yield start


def service_app(
    settings: Settings, sandbox: Sandbox, ministry: Ministry, **changes: Any
) -> FastAPI:
    """The service's app on the sandbox vhost and the simulator (settings changed by `changes`)."""
    return create_app(
        settings.model_copy(update=changes),
        Overrides(moj_transport=ministry.transport(), topology=sandbox.topology),
    )


@pytest.fixture
async def service(start_service: StartService) -> Running:
    return await start_service()


@pytest.fixture
async def registry(sandbox: Sandbox, db: Db) -> AsyncIterator[RegistrySide]:
    async with registry_side(sandbox) as side:
        yield side
