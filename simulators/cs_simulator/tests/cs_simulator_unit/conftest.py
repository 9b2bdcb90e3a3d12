"""Fixtures for the simulator's unit tests: an app per test and a client over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from cs_simulator.config import Settings
from cs_simulator.entrypoints.app import create_app
from fastapi import FastAPI
from jumin_testing.simulator_kit import app_fixture, spans_fixture

spans = spans_fixture("cs-simulator")
app = app_fixture(create_app)


@pytest.fixture
def settings() -> Settings:
    """Short delays so tests stay fast; a seed so numbers repeat."""
    return Settings(my_number_delay=0.3, timeout_hang=1.0, seed=7)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Talk to the app in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cs") as http:
        yield http
    app.state.simulator.cancel_pending()
