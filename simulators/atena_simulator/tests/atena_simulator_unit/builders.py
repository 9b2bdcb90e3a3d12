"""Valid 宛名連携 and small helpers for the simulator's tests."""

from __future__ import annotations

from typing import Any

import httpx
from jumin_testing.simulator_kit import accepted, envelope, feed_items, message_sender

ATENA_NO = "0000000019"
OTHER_ATENA_NO = "0000000027"
JUMINHYO_CODE = "12345678903"
OTHER_JUMINHYO_CODE = "23456789013"
MY_NUMBER = "123456789018"
OTHER_MY_NUMBER = "234567890121"
ADDRESS = "東京都新宿区西新宿二丁目8番1号"


def person(**changes: Any) -> dict[str, Any]:
    """A resident as the registry (住民記録, `juki`) sends them, with a 個人番号."""
    body: dict[str, Any] = {
        "system": "juki",
        "atena_no": ATENA_NO,
        "juminhyo_code": JUMINHYO_CODE,
        "my_number": MY_NUMBER,
        "family_name": "山田",
        "given_name": "太郎",
        "birth_date": "19800115",
        "sex": "1",
        "address": ADDRESS,
        "record_status": "resident",
    }
    return body | changes


def message(body: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """Wrap a person in the envelope."""
    return envelope(body, sent_at="2026-12-01T10:00:00+09:00", event_id=event_id)


send = message_sender("/atena/v1/persons")
"""POST one 宛名連携 with an idempotency key."""


async def sent(client: httpx.AsyncClient, payload: dict[str, Any]) -> dict[str, Any]:
    """POST one 宛名連携 that must be received; its answer."""
    return await accepted(client, "/atena/v1/persons", payload)


async def feed(client: httpx.AsyncClient, after: int = 0) -> list[dict[str, Any]]:
    """The notices for the ward after a cursor."""
    return await feed_items(client, "/atena/v1/notifications", after)


async def lookup(client: httpx.AsyncClient, **query: str) -> httpx.Response:
    """GET a person's 符号 by 統合宛名番号 or 宛名番号."""
    return await client.get("/atena/v1/persons", params=query)
