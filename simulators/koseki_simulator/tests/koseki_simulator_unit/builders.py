"""A seeded 戸籍, valid notices and small helpers for the simulator's tests."""

from __future__ import annotations

from typing import Any

import httpx
from jumin_contracts.check_digits import juminhyo_code_check_digit
from jumin_testing.simulator_kit import envelope, feed_items, message_sender

HONSEKI = "東京都新宿区歌舞伎町一丁目1番"
HITTOSHA = "新宿 太郎"
ADDRESS = "東京都新宿区西新宿二丁目8番1号"


def juminhyo_code(n: int) -> str:
    """Return a valid 住民票コード built from *n*."""
    body = f"{n:010d}"
    return body + juminhyo_code_check_digit(body)


FATHER, MOTHER, CHILD = juminhyo_code(1), juminhyo_code(2), juminhyo_code(3)


def koseki(**changes: Any) -> dict[str, Any]:
    """A 戸籍 of three: 筆頭者, spouse (with codes) and a child (no code on the 附票 yet)."""
    first = {"address": ADDRESS, "address_since": "20100401"}
    body: dict[str, Any] = {
        "honseki": HONSEKI,
        "hittosha": HITTOSHA,
        "members": [
            {
                "juminhyo_code": FATHER,
                "family_name": "新宿",
                "given_name": "太郎",
                "birth_date": "19800101",
                "sex": "1",
                "addresses": [first],
            },
            {
                "juminhyo_code": MOTHER,
                "family_name": "新宿",
                "given_name": "花子",
                "birth_date": "19820202",
                "sex": "2",
                "addresses": [first],
            },
            {
                "family_name": "新宿",
                "given_name": "一郎",
                "birth_date": "20120303",
                "sex": "1",
            },
        ],
    }
    return body | changes


def notice_body(code: str | None = MOTHER, **changes: Any) -> dict[str, Any]:
    """A 附票記載事項通知 body (a 転居) for the spouse of `koseki()`."""
    body: dict[str, Any] = {
        "honseki": HONSEKI,
        "hittosha": HITTOSHA,
        "family_name": "新宿",
        "given_name": "花子",
        "address": "東京都新宿区新宿三丁目1番1号",
        "moved_abroad": False,
        "abroad_country": None,
        "address_since": "20261120",
        "birth_date": "19820202",
        "sex": "2",
        "juminhyo_code": code,
        "change_reason": "move_within",
        "change_date": "20261120",
    }
    return body | changes


def notice(body: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """Wrap a body in the envelope."""
    return envelope(body, sent_at="2026-11-27T10:00:00+09:00", event_id=event_id)


async def seed(client: httpx.AsyncClient, body: dict[str, Any] | None = None) -> None:
    """Seed a 戸籍 (by default `koseki()`)."""
    response = await client.put("/sim/koseki", json=body or koseki())
    assert response.status_code == 200, response.text


send = message_sender("/koseki/v1/notices")
"""POST one notice with an idempotency key."""


async def fuhyo(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    """Every 附票 held, by 住民票コード."""
    page = (await client.get("/koseki/v1/fuhyo", params={"limit": 1000})).json()
    return {item["juminhyo_code"]: item for item in page["items"]}


async def feed(client: httpx.AsyncClient, after: int = 0) -> list[dict[str, Any]]:
    """The notices for the ward after a cursor."""
    return await feed_items(client, "/koseki/v1/notifications", after)
