"""Real PostgreSQL and RabbitMQ, the real 戸籍附票システム simulator app, the adapter in-process.

- Database: the koseki_adapter schema of a *test* database, through the settings the environment
  gives (`deploy/local/with-env.sh jumin_test_x …` after provisioning it); the adapter's tables
  are emptied before each test, as the owner role.
- Broker: a throwaway vhost `jumin_koseki_test_<hex>` carrying Jumin's topology with the real
  users' permissions (`jumin_testing.broker`): the adapter publishes as `jumin_koseki_adapter`.
- 戸籍附票システム: the simulator's own app (`koseki_simulator`) behind an ASGI transport; tests
  seed 戸籍 and inject 戸籍 events through its `/sim/*` API.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from jumin_platform.devkeys import generate_keypair, issue_token
from jumin_platform.terminal import TERMINAL_HEADER
from jumin_platform.topology import COMMANDS_EXCHANGE, Topology
from jumin_testing.broker import Sandbox, sandbox_vhost
from koseki_adapter.bootstrap import Overrides
from koseki_adapter.config import Settings
from koseki_adapter.entrypoints.api.app import create_app
from koseki_simulator.config import Settings as SimulatorSettings
from koseki_simulator.entrypoints.app import create_app as create_simulator
from pydantic import SecretStr

INBOUND_TABLES = "notifications, consistency_checks"


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[Sandbox]:
    """A vhost with the topology and the real users' permissions, for this test session."""
    async with sandbox_vhost(Topology(), prefix="jumin_koseki_test") as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("keys")
    generate_keypair(directory / "private.pem", directory / "public.pem")
    return directory


@pytest.fixture(scope="session")
def settings(sandbox: Sandbox, keys: Path) -> Settings:
    base = Settings()
    database = urlsplit(base.migration_database_url.get_secret_value()).path.lstrip("/")
    if "test" not in database:
        pytest.fail("run against a *test* database: deploy/local/with-env.sh jumin_test_x …")
    return base.model_copy(
        update={
            "amqp_url": SecretStr(sandbox.url("jumin_koseki_adapter")),
            "jwt_public_key_file": keys / "public.pem",
            "poll_interval": 0.1,
        }
    )


@pytest.fixture
async def db(settings: Settings, sandbox: Sandbox) -> AsyncIterator[asyncpg.Connection[Any]]:
    """The owner's connection, on emptied tables and purged queues."""
    await sandbox.purge_queues()
    connection = await asyncpg.connect(settings.migration_database_url.get_secret_value())
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )
    await connection.execute(f"SET search_path = koseki_adapter; TRUNCATE {INBOUND_TABLES}")
    await connection.execute("UPDATE notification_cursor SET cursor = 0")
    yield connection
    await connection.close()


# ---- the 戸籍附票システム -----------------------------------------------------------------------
@pytest.fixture
def simulator() -> FastAPI:
    """A fresh simulator (in memory) for each test."""
    return create_simulator(SimulatorSettings(timeout_hang=1.0, seed=7))


@pytest.fixture
async def sim(simulator: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The simulator's API, for seeding 戸籍 and injecting 戸籍 events (`/sim/*`)."""
    transport = httpx.ASGITransport(app=simulator)
    async with httpx.AsyncClient(transport=transport, base_url="http://koseki") as client:
        yield client


# ---- the adapter ---------------------------------------------------------------------------------
TEST_TERMINAL = "test-terminal"


@dataclass
class Running:
    """The adapter app running in-process, with an HTTP client for its API."""

    app: FastAPI
    api: httpx.AsyncClient
    settings: Settings
    keys: Path
    lifespan: Any
    stopped: bool = False

    async def stop(self) -> None:
        """Stop the adapter as its process would stop (lifespan ends); once."""
        if not self.stopped:
            self.stopped = True
            await self.api.aclose()
            await self.lifespan.__aexit__(None, None, None)

    def token(self, *roles: str, sub: str = "ops-tanaka") -> dict[str, str]:
        token = issue_token(
            private_key_pem=(self.keys / "private.pem").read_text(),
            sub=sub,
            roles=list(roles),
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
        )
        return {"Authorization": f"Bearer {token}", TERMINAL_HEADER: TEST_TERMINAL}

    @property
    def admin(self) -> dict[str, str]:
        return self.token("admin")


StartAdapter = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_adapter(
    settings: Settings, sandbox: Sandbox, simulator: FastAPI, keys: Path, db: Any
) -> AsyncIterator[StartAdapter]:
    """Start an adapter (settings may be changed per test); each is stopped after the test."""
    started: list[Running] = []

    async def start(**changes: Any) -> Running:
        app = create_app(
            settings.model_copy(update=changes),
            Overrides(
                fuhyo_transport=httpx.ASGITransport(app=simulator), topology=sandbox.topology
            ),
        )
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://koseki-adapter"
        )
        started.append(Running(app, client, settings, keys, lifespan))
        return started[-1]

    yield start
    for running in reversed(started):
        await running.stop()


@pytest.fixture
async def adapter(start_adapter: StartAdapter) -> Running:
    return await start_adapter()


# ---- the registry's side of the broker ---------------------------------------------------------
@dataclass
class CommandsTap:
    """Every command published on jumin.commands to the registry, read as the registry would."""

    queue: aio_pika.abc.AbstractQueue

    async def commands(self) -> list[aio_pika.abc.AbstractIncomingMessage]:
        taken = []
        while (message := await self.queue.get(no_ack=True, fail=False)) is not None:
            taken.append(message)
        return taken


@pytest.fixture
async def registry(sandbox: Sandbox, db: Any) -> AsyncIterator[CommandsTap]:
    connection = await aio_pika.connect(sandbox.url(sandbox.topology.admin_user))
    async with connection:
        channel = await connection.channel()
        # registry.in is single-active-consumer (no basic.get): tap jumin.commands privately.
        tap = await channel.declare_queue(exclusive=True)
        await tap.bind(COMMANDS_EXCHANGE, routing_key="registry.#")
        yield CommandsTap(tap)
