"""The 個人番号 tests' fixture: the couple, approved on the register."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ..helpers import (
    TokenFactory,
    auth,
    enter_and_approve,
)
from .couple import (
    couple,
)


@pytest.fixture
async def couple_on_register(client: httpx.AsyncClient, token: TokenFactory) -> dict[str, Any]:
    """Approve the couple's 転入; return 宛名番号 by 名 and the change."""
    change = await enter_and_approve(client, token, couple())
    numbers: dict[str, Any] = {"change": change}
    for atena_no in change["subjects"]:
        response = await client.get(
            f"/residents/{atena_no}", headers=auth(token, "viewer01", "viewer")
        )
        numbers[response.json()["record"]["given_name"]] = atena_no
    return numbers
