"""Fixtures for the simulator's unit tests: an app per test and a client over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from jumin_testing.simulator_kit import app_fixture, spans_fixture
from moj_simulator.config import Settings
from moj_simulator.entrypoints.app import create_app

spans = spans_fixture("moj-simulator")
app = app_fixture(create_app)


@pytest.fixture
def settings() -> Settings:
    """Results at once, short hangs so tests stay fast; a seed so fault draws repeat."""
    return Settings(result_delay=0, timeout_hang=1.0, seed=7)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Talk to the app in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://moj") as http:
        yield http
