"""Fixtures for the simulator's unit tests: an app per test and a client over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from intermediate_simulator.config import Settings
from intermediate_simulator.entrypoints.app import create_app
from jumin_testing.simulator_kit import app_fixture, in_process, spans_fixture

spans = spans_fixture("intermediate-simulator")
app = app_fixture(create_app)


@pytest.fixture
def settings() -> Settings:
    """Short hangs so tests stay fast; a seed so fault draws repeat."""
    return Settings(timeout_hang=1.0, seed=7)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Talk to the app in-process."""
    async with in_process(app, "http://intermediate") as http:
        yield http
