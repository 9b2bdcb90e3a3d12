"""Real PostgreSQL and RabbitMQ, an in-process fake CS, and the adapter app running in-process.

- Database: the cs_adapter schema of a *test* database, through the settings the environment
  gives (`deploy/local/with-env.sh jumin_cs_test …` after `deploy/local/provision.sh
  jumin_cs_test`); every table is emptied before each test, as the owner role.
- Broker: a throwaway vhost `jumin_cs_test_<hex>` carrying Jumin's topology, where the real broker
  users get exactly the topology's permissions (`jumin_testing.broker`), so the adapter
  consumes as the least-privileged `jumin_cs_adapter` without touching vhost `jumin`. Queues are
  purged before each test; the vhost is deleted at the end.
- CS: `FakeCs` behind httpx.MockTransport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cs_adapter.bootstrap import Overrides
from cs_adapter.config import Settings
from cs_adapter.entrypoints.api.app import create_app
from fastapi import FastAPI
from jumin_platform.my_number_vault import generate_key_file
from jumin_testing.adapter_fixtures import (
    db_fixture,
    sandbox_fixture,
    staff_keys,
    test_settings,
    trace_file_fixture,
)
from jumin_testing.adapter_harness import (
    TEST_TERMINAL,
    RegistrySide,
    Running,
    StartApp,
    app_starter,
    registry_side,
)
from jumin_testing.broker import Sandbox

from ..fake_cs import FakeCs

__all__ = ["TABLES", "TEST_TERMINAL", "RegistrySide", "Running", "StartAdapter"]

TABLES = (
    "inbox, person_progress, parked, operator_actions, deliveries, identity_snapshot, "
    "my_number_requests, notifications, free_codes, code_supplies, manual_mode_history, "
    "consistency_checks"
)


# ---- broker sandbox, spans, database --------------------------------------------------------------
sandbox = sandbox_fixture("jumin_cs_test")
trace_file = trace_file_fixture("cs-adapter")
db = db_fixture("cs_adapter", TABLES)


# ---- settings, keys -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = staff_keys(tmp_path_factory)
    generate_key_file(directory / "my-number.json")
    return directory


@pytest.fixture(scope="session")
def settings(sandbox: Sandbox, keys: Path, trace_file: Path) -> Settings:
    return test_settings(
        Settings(),
        sandbox,
        "jumin_cs_adapter",
        keys,
        my_number_key_file=keys / "my-number.json",
        poll_interval=0.1,
        free_codes_low_water=0,
    )


# ---- the adapter ---------------------------------------------------------------------------------
StartAdapter = StartApp


@pytest.fixture
async def start_adapter(
    settings: Settings, sandbox: Sandbox, fake_cs: FakeCs, keys: Path, registry: RegistrySide
) -> AsyncIterator[StartAdapter]:
    """Start the adapter (settings may be changed per test); stopped after the test."""

    def build(**changes: Any) -> FastAPI:
        return create_app(
            settings.model_copy(update=changes),
            Overrides(cs_transport=fake_cs.transport(), topology=sandbox.topology),
        )

    async with app_starter(build, "http://cs-adapter", settings, keys) as start:
        yield start


@pytest.fixture
async def adapter(start_adapter: StartAdapter) -> Running:
    return await start_adapter()


@pytest.fixture
def fake_cs() -> FakeCs:
    return FakeCs()


# ---- the registry's side of the broker ---------------------------------------------------------
@pytest.fixture
async def registry(sandbox: Sandbox, db: Any) -> AsyncIterator[RegistrySide]:
    async with registry_side(sandbox) as side:
        yield side
