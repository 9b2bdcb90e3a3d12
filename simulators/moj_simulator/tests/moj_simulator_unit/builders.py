"""Valid notices, a known foreign resident and small helpers for the simulator's tests."""

from __future__ import annotations

from typing import Any

import httpx
from jumin_testing.simulator_kit import envelope, feed_items, message_sender

CARD = "AB12345678CD"
OTHER_CARD = "EF87654321GH"
SPECIAL_CERT = "SP00000001ZZ"
ADDRESS = "東京都新宿区西新宿二丁目8番1号"


def notice_body(**changes: Any) -> dict[str, Any]:
    """A 市町村通知 body: the 法第30条の46 転入 of a 中長期在留者 (class 住基法・入管法)."""
    body: dict[str, Any] = {
        "notice_class": "juki_and_immigration",
        "change_reason": "foreign_move_in_30_46",
        "change_date": "20261120",
        "notification_date": "20261121",
        "name_alphabet": "NGUYEN VAN AN",
        "family_name": None,
        "given_name": None,
        "birth_date": "19950312",
        "sex": "1",
        "nationality": "VNM",
        "address": ADDRESS,
        "previous_address": None,
        "foreign_category": "mid_long_term",
        "status_of_residence": "技術・人文知識・国際業務",
        "period_of_stay": "5年",
        "stay_expires_on": "20300401",
        "residence_card_no": CARD,
        "special_permanent_cert_no": None,
    }
    return body | changes


def transmission_body(**changes: Any) -> dict[str, Any]:
    """A 市町村伝達 body: the 住居地届出 (入管法19条の7) the ward received with a 転入."""
    body: dict[str, Any] = {
        "filing_article": "19-7",
        "notification_date": "20261121",
        "name_alphabet": "NGUYEN VAN AN",
        "birth_date": "19950312",
        "sex": "1",
        "nationality": "VNM",
        "address": ADDRESS,
        "residence_card_no": CARD,
    }
    return body | changes


def resident(**changes: Any) -> dict[str, Any]:
    """The ministry's record of the person of `notice_body()`."""
    body: dict[str, Any] = {
        "card_no": CARD,
        "name_alphabet": "NGUYEN VAN AN",
        "birth_date": "19950312",
        "sex": "1",
        "nationality": "VNM",
        "foreign_category": "mid_long_term",
        "status_of_residence": "技術・人文知識・国際業務",
        "period_of_stay": "5年",
        "stay_expires_on": "20300401",
    }
    return body | changes


def notice(
    body: dict[str, Any], *, type_: str = "municipal_notice", event_id: str | None = None
) -> dict[str, Any]:
    """Wrap a body in the envelope."""
    return envelope(body, sent_at="2026-11-27T10:00:00+09:00", event_id=event_id, type=type_)


send = message_sender("/moj/v1/notices")
"""POST one notice with an idempotency key."""


async def seed(client: httpx.AsyncClient, body: dict[str, Any] | None = None) -> None:
    """Put a foreign resident in the ministry's record (by default `resident()`)."""
    response = await client.put("/sim/residents", json=body or resident())
    assert response.status_code == 200, response.text


async def feed(client: httpx.AsyncClient, after: int = 0) -> list[dict[str, Any]]:
    """The notices for the ward after a cursor."""
    return await feed_items(client, "/moj/v1/notifications", after)


async def results(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    """The processing results on the feed, by 受付番号."""
    return {
        item["body"]["receipt_no"]: item["body"]
        for item in await feed(client)
        if item["type"] == "processing_result"
    }
