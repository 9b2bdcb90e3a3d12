"""市町村通知 and 市町村伝達 are received once per key, validated, and refused by field name."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .builders import CARD, SPECIAL_CERT, notice, notice_body, send, transmission_body


async def _received(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await client.get("/sim/received")).json()["items"]
    return items


async def test_a_notice_is_received_and_stored(client: httpx.AsyncClient) -> None:
    payload = notice(notice_body())

    response = await send(client, payload)

    assert response.status_code == 201, response.text
    answer = response.json()
    assert (answer["receipt_no"], answer["replayed"]) == ("MJ-000001", False)
    [stored] = await _received(client)
    assert stored["event_id"] == payload["event_id"]
    assert stored["type"] == "municipal_notice"
    assert stored["body"] == payload["body"]
    assert stored["receipt_no"] == "MJ-000001"


async def test_a_municipal_transmission_is_received(client: httpx.AsyncClient) -> None:
    response = await send(client, notice(transmission_body(), type_="municipal_transmission"))

    assert response.status_code == 201, response.text
    [stored] = await _received(client)
    assert stored["type"] == "municipal_transmission"
    assert stored["body"]["filing_article"] == "19-7"


async def test_a_resend_with_the_same_key_gets_the_stored_answer(
    client: httpx.AsyncClient,
) -> None:
    payload = notice(notice_body())
    key = "0b6f7c1e-5d2a-4e3b-9c8d-7a6b5c4d3e2f"
    first = await send(client, payload, key=key)

    again = await send(client, {**payload, "sent_at": "2026-11-27T10:05:00+09:00"}, key=key)

    assert again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    assert len(await _received(client)) == 1
    counts = (await client.get("/sim/received/counts")).json()
    assert counts[payload["event_id"]] == {"accepted": 1, "attempts": 2}


async def test_the_same_key_with_another_notice_is_refused(client: httpx.AsyncClient) -> None:
    payload = notice(notice_body())
    key = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
    await send(client, payload, key=key)

    other = await send(
        client, {**payload, "body": notice_body(address="東京都新宿区若葉一丁目1番")}, key=key
    )

    assert (other.status_code, other.json()["code"]) == (409, "E-KEY-REUSED")
    assert len(await _received(client)) == 1


@pytest.mark.parametrize(
    ("changes", "field", "secret"),
    [
        ({"residence_card_no": "ab12345678cd"}, "residence_card_no", "ab12345678cd"),
        ({"residence_card_no": "AB1234567CD"}, "residence_card_no", "AB1234567CD"),
        ({"nationality": "ZZZ"}, "nationality", "ZZZ"),
        ({"nationality": "ベトナム"}, "nationality", "ベトナム"),
        ({"birth_date": "19950230"}, "birth_date", "19950230"),
        ({"change_date": "2026-11-20"}, "change_date", "2026-11-20"),
        ({"sex": "male"}, "sex", "male"),
        ({"notice_class": "other"}, "notice_class", "other"),
        ({"change_reason": "vacation"}, "change_reason", "vacation"),
        ({"foreign_category": "tourist"}, "foreign_category", "tourist"),
        ({"address": "番" * 501}, "address", "番" * 501),
        ({"passport_no": "TZ1234567"}, "passport_no", "TZ1234567"),
    ],
)
async def test_malformed_items_are_named_never_echoed_and_nothing_is_stored(
    client: httpx.AsyncClient, changes: dict[str, Any], field: str, secret: str
) -> None:
    response = await send(client, notice(notice_body(**changes)))

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "E-FORMAT"
    assert ["body", "body", field] in [e["loc"] for e in problem["errors"]]
    assert secret not in response.text
    assert await _received(client) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (  # a 死亡 is not a 住居地届出
            {"change_reason": "death"},
            {("notice_class", "class_reason")},
        ),
        (
            {"notice_class": "immigration", "notification_date": None},
            {("notification_date", "missing_for_class")},
        ),
        (
            {"residence_card_no": None, "stay_expires_on": None},
            {
                ("residence_card_no", "missing_for_category"),
                ("stay_expires_on", "missing_for_category"),
            },
        ),
        (
            {"foreign_category": "special_permanent", "special_permanent_cert_no": SPECIAL_CERT},
            {
                ("residence_card_no", "not_for_category"),
                ("status_of_residence", "not_for_category"),
                ("period_of_stay", "not_for_category"),
                ("stay_expires_on", "not_for_category"),
            },
        ),
        (
            {"foreign_category": "temporary_refuge", "status_of_residence": None},
            {("residence_card_no", "not_for_category")},
        ),
        (
            {"change_date": "20261100", "stay_expires_on": "20300000"},
            {("change_date", "date_incomplete"), ("stay_expires_on", "date_incomplete")},
        ),
        ({"name_alphabet": None}, {("name_alphabet", "name_missing")}),
    ],
)
async def test_items_the_class_and_category_require_are_checked(
    client: httpx.AsyncClient, changes: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    response = await send(client, notice(notice_body(**changes)))

    assert response.status_code == 400, response.text
    found = {(e["loc"][-1], e["type"]) for e in response.json()["errors"]}
    assert found == expected
    assert await _received(client) == []


async def test_an_ex_officio_removal_needs_no_notification_date(
    client: httpx.AsyncClient,
) -> None:
    body = notice_body(notice_class="juki", change_reason="death", notification_date=None)

    assert (await send(client, notice(body))).status_code == 201


async def test_a_special_permanent_resident_is_known_by_the_certificate(
    client: httpx.AsyncClient,
) -> None:
    body = notice_body(
        notice_class="juki",
        change_reason="move_out_abroad",
        foreign_category="special_permanent",
        nationality="KOR",
        residence_card_no=None,
        status_of_residence=None,
        period_of_stay=None,
        stay_expires_on=None,
        special_permanent_cert_no=SPECIAL_CERT,
    )

    assert (await send(client, notice(body))).status_code == 201
    listed = await client.get("/sim/received", params={"card_no": SPECIAL_CERT})
    assert len(listed.json()["items"]) == 1


async def test_a_stateless_person_has_the_code_xxa(client: httpx.AsyncClient) -> None:
    assert (await send(client, notice(notice_body(nationality="XXA")))).status_code == 201


async def test_a_change_the_ministry_is_never_told_of_is_refused(
    client: httpx.AsyncClient,
) -> None:
    body = notice_body(notice_class="juki", change_reason="household_transfer")

    response = await send(client, notice(body))

    assert (response.status_code, response.json()["code"]) == (422, "E-NOT-NOTIFIABLE")
    assert await _received(client) == []


async def test_a_transmission_needs_the_card_and_its_article(client: httpx.AsyncClient) -> None:
    body = transmission_body(residence_card_no=None, filing_article="19-10")

    response = await send(client, notice(body, type_="municipal_transmission"))

    assert response.status_code == 400
    fields = {e["loc"][-1] for e in response.json()["errors"]}
    assert fields == {"residence_card_no", "filing_article"}
    assert CARD not in response.text


async def test_another_ward_or_no_key_is_refused(client: httpx.AsyncClient) -> None:
    other_ward = await send(client, {**notice(notice_body()), "municipality_code": "131016"})
    no_key = await client.post("/moj/v1/notices", json=notice(notice_body()))

    assert other_ward.status_code == 400
    assert other_ward.json()["errors"][0]["loc"] == ["body", "municipality_code"]
    assert (no_key.status_code, no_key.json()["code"]) == (400, "E-FORMAT")
    assert await _received(client) == []
