"""Fixtures shared by the integration tests (the maker-checker family, the database superuser).

test_support_measures.py has its own `yamada`, which overrides this one there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from jumin_testing.access_log_tamper import Superuser
from registry.bootstrap import Registry
from registry.config import Settings
from registry.entrypoints.commands_consumer import CommandConsumer

from .command_bus import run_consumer
from .helpers import TokenFactory, by_given_name, enter_and_approve, family, move_in


@pytest.fixture
async def yamada(client: httpx.AsyncClient, token: TokenFactory) -> dict[str, Any]:
    """An approved family of three at WARD_ADDRESS; records by 名 plus the household number."""
    change = await enter_and_approve(client, token, move_in(*family()))
    members = await by_given_name(client, token, change)
    return {
        "taro": members["太郎"]["atena_no"],
        "hanako": members["花子"]["atena_no"],
        "ichiro": members["一郎"]["atena_no"],
        "household_no": members["太郎"]["record"]["household_no"],
    }


@pytest.fixture
async def consumer(settings: Settings, registry: Registry) -> AsyncIterator[CommandConsumer]:
    """The registry's command consumer on registry.in (emptied first), as jumin_registry."""
    async with run_consumer(settings, registry) as running:
        yield running


@pytest.fixture
def superuser(settings: Settings) -> Superuser:
    """Give a test the superuser of its database (as root, or through sudo)."""
    return Superuser(settings.database_url.get_secret_value())
