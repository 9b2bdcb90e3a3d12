"""Fixtures for the simulator's unit tests: an app per test and a client over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from atena_simulator.config import Settings
from atena_simulator.entrypoints.app import create_app
from fastapi import FastAPI
from jumin_testing.simulator_kit import app_fixture, in_process, spans_fixture

spans = spans_fixture("atena-simulator")
app = app_fixture(create_app)


@pytest.fixture
def settings() -> Settings:
    """符号 back at once, short hangs so tests stay fast; a seed so draws repeat."""
    return Settings(fugo_delay=0, timeout_hang=1.0, seed=7)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Talk to the app in-process."""
    async with in_process(app, "http://atena") as http:
        yield http
