"""Valid 副本 operations, inquiries and small helpers for the simulator's tests."""

from __future__ import annotations

from typing import Any

import httpx
from jumin_testing.simulator_kit import accepted, envelope, message_sender

FUGO = "FGABCDEFGHIJKLMNOPQRST12"
OTHER_FUGO = "FG0123456789ABCDEFGHIJKL"
HEAD_NAME = "山田 太郎"


def member_items(**changes: Any) -> dict[str, Any]:
    """住民票関係情報 of a member who is not the head (妻 of 山田 太郎), 記載."""
    items: dict[str, Any] = {
        "head_of_household": False,
        "head_name": HEAD_NAME,
        "relationship": "妻",
        "record_status": "resident",
        "change_reason": "move_in",
        "change_date": "20261201",
    }
    return items | changes


def head_items(**changes: Any) -> dict[str, Any]:
    """住民票関係情報 of the head of a household."""
    return member_items(head_of_household=True, head_name=None, relationship=None) | changes


def operation(
    kind: str,
    items: dict[str, Any] | None,
    *,
    as_of: str = "2026-12-01T10:00:00+09:00",
    fugo: str = FUGO,
    event_id: str | None = None,
) -> dict[str, Any]:
    """One 副本 operation in its envelope."""
    body = {
        "operation": kind,
        "fugo": fugo,
        "data_item": "juminhyo_kankei",
        "as_of": as_of,
        "items": items,
    }
    return envelope(body, sent_at="2026-12-01T10:00:05+09:00", event_id=event_id)


send = message_sender("/intermediate/v1/copies")
"""POST one operation with an idempotency key."""


async def stored(client: httpx.AsyncClient, payload: dict[str, Any]) -> dict[str, Any]:
    """POST one operation that must be stored; its answer."""
    return await accepted(client, "/intermediate/v1/copies", payload)


def inquiry(**changes: Any) -> dict[str, Any]:
    """Another ward's 情報照会 for 児童手当 about `FUGO`."""
    body: dict[str, Any] = {
        "requester_code": "131130",
        "requester_name": "渋谷区長",
        "fugo": FUGO,
        "data_item": "juminhyo_kankei",
        "legal_basis_id": "child-allowance",
    }
    return body | changes


async def ask(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    """Play the other body: send an 情報照会; its answer."""
    response = await client.post("/sim/inquiries", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def copies(client: httpx.AsyncClient, **query: Any) -> list[dict[str, Any]]:
    """The 副本 as they stand."""
    response = await client.get("/intermediate/v1/copies", params=query)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def records(client: httpx.AsyncClient, fugo: str = FUGO) -> list[dict[str, Any]]:
    """The 情報提供等記録 of one 符号."""
    response = await client.get("/intermediate/v1/provision-records", params={"fugo": fugo})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
