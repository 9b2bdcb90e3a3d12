"""Steps and names shared by the maker-checker tests (spec 4.0.8): enter as someone, list, read back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from .helpers import (
    CLERK,
    OTHER_WARD_ADDRESS,
    REVIEWER,
    TERMINAL,
    WARD_ADDRESS_TEXT,
    Body,
    TokenFactory,
    auth,
    search,
    view,
)

BRANCH = "shinjuku-branch-01"
CLERK2 = "clerk02"
TAKADANOBABA = "高田馬場一丁目1番1号"
TAKADANOBABA_TEXT = "東京都新宿区高田馬場一丁目1番1号"
OTHER_WARD_ADDRESS_TEXT = "東京都新宿区" + OTHER_WARD_ADDRESS
REASON = {"reason": "届出人の申出による"}


async def enter(
    client: httpx.AsyncClient,
    token: TokenFactory,
    body: Body,
    *,
    by: str = CLERK,
    terminal: str = TERMINAL,
    roles: tuple[str, ...] = ("clerk",),
) -> Body:
    """Enter a change as a given clerk at a given terminal (仮登録)."""
    headers = {**auth(token, by, *roles), "X-Jumin-Terminal": terminal}
    response = await client.post("/changes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    change: Body = response.json()
    return change


async def pending_ids(client: httpx.AsyncClient, token: TokenFactory, **params: str) -> list[str]:
    """List the ids of changes matching filters, as a reviewer."""
    response = await client.get(
        "/changes", params=params, headers=auth(token, REVIEWER, "reviewer")
    )
    assert response.status_code == 200, response.text
    return [c["change_id"] for c in response.json()["items"]]


async def change_of(client: httpx.AsyncClient, token: TokenFactory, change_id: str) -> Body:
    """Read one change as a reviewer."""
    response = await client.get(f"/changes/{change_id}", headers=auth(token, REVIEWER, "reviewer"))
    assert response.status_code == 200, response.text
    change: Body = response.json()
    return change


async def assert_register_unchanged(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, Any]
) -> None:
    """Every read — record, history, as-of, household, search — shows the family as moved in."""
    taro = yamada["taro"]
    record = await view(client, token, f"/residents/{taro}")
    assert record.status_code == 200, record.text
    assert (record.json()["history_no"], record.json()["record"]["address"]) == (
        1,
        WARD_ADDRESS_TEXT,
    )
    history = (await view(client, token, f"/residents/{taro}/history")).json()
    assert [row["history_no"] for row in history] == [1]
    as_of = await view(
        client,
        token,
        f"/residents/{taro}",
        on="2025-06-01",
        known_at=datetime.now(UTC).isoformat(),
    )
    assert (as_of.json()["history_no"], as_of.json()["record"]["address"]) == (
        1,
        WARD_ADDRESS_TEXT,
    )
    household = (await view(client, token, f"/households/{yamada['household_no']}")).json()
    assert {m["atena_no"] for m in household["members"]} == {
        yamada["taro"],
        yamada["hanako"],
        yamada["ichiro"],
    }
    assert {m["record"]["address"] for m in household["members"]} == {WARD_ADDRESS_TEXT}
    assert (await search(client, token, address="大久保"))["items"] == []
    assert (await search(client, token, address="高田馬場"))["items"] == []
    found = await search(client, token, kana="ヤマダ")
    assert {r["record"]["address"] for r in found["items"]} == {WARD_ADDRESS_TEXT}
    assert len(found["items"]) == 3
