"""Processing results come later on the feed: 正常 or an error code per notice; injectable."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from jumin_simulator.clock import JST
from moj_simulator.config import Settings
from moj_simulator.entrypoints.app import create_app

from .builders import (
    CARD,
    OTHER_CARD,
    feed,
    notice,
    notice_body,
    resident,
    results,
    seed,
    send,
    transmission_body,
)


async def test_a_notice_matching_the_record_is_processed_normally(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    payload = notice(notice_body())
    receipt = (await send(client, payload)).json()

    [item] = await feed(client)

    assert item["type"] == "processing_result"
    assert item["body"] | {"processed_at": None} == {
        "receipt_no": receipt["receipt_no"],
        "event_id": payload["event_id"],
        "notice_type": "municipal_notice",
        "result": "ok",
        "error_code": None,
        "error_items": [],
        "message": None,
        "processed_at": None,
    }
    received = (await client.get("/sim/received")).json()["items"]
    assert received[0]["result"] == {"result": "ok", "error_code": None}


async def test_a_card_the_ministry_did_not_know_is_learned(client: httpx.AsyncClient) -> None:
    await send(client, notice(notice_body()))

    assert (await results(client))["MJ-000001"]["result"] == "ok"
    [learned] = (await client.get("/sim/residents")).json()
    assert (learned["card_no"], learned["birth_date"]) == (CARD, "19950312")


async def test_a_strict_ministry_answers_an_unknown_card_with_an_error(
    spans: object,
) -> None:
    app = create_app(Settings(result_delay=0, strict_records=True))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://moj") as client:
        await send(client, notice(notice_body()))

        result = (await results(client))["MJ-000001"]

    assert (result["error_code"], result["error_items"]) == (
        "R-CARD-UNKNOWN",
        ["residence_card_no"],
    )


async def test_a_notice_disagreeing_with_the_record_gets_an_error_naming_items(
    client: httpx.AsyncClient,
) -> None:
    await seed(client, resident(birth_date="19950313", nationality="CHN"))
    await send(client, notice(notice_body()))

    result = (await results(client))["MJ-000001"]

    assert result["result"] == "error"
    assert result["error_code"] == "R-PERSON-MISMATCH"
    assert result["error_items"] == ["birth_date", "nationality"]
    assert "19950312" not in str(result)


async def test_a_transmission_is_collated_too(client: httpx.AsyncClient) -> None:
    await seed(client, resident(sex="2"))
    await send(client, notice(transmission_body(), type_="municipal_transmission"))

    result = (await results(client))["MJ-000001"]
    assert (result["notice_type"], result["error_items"]) == ("municipal_transmission", ["sex"])


async def test_a_notice_without_a_card_is_processed_normally(client: httpx.AsyncClient) -> None:
    body = notice_body(
        notice_class="juki",
        change_reason="birth",
        foreign_category="transitional",
        residence_card_no=None,
        status_of_residence=None,
        period_of_stay=None,
        stay_expires_on=None,
        notification_date=None,
    )
    await send(client, notice(body))

    assert (await results(client))["MJ-000001"]["result"] == "ok"
    assert (await client.get("/sim/residents")).json() == []


async def test_results_come_once_due_in_receipt_order_and_once_only(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    sim = app.state.simulator
    sim.result_delay = timedelta(seconds=60)
    now = datetime(2026, 11, 27, 10, 0, tzinfo=JST)
    sim.clock = lambda: now
    first = (await send(client, notice(notice_body()))).json()
    second = (await send(client, notice(notice_body(address="東京都新宿区若葉一丁目1番")))).json()

    assert first["result_due_at"] == "2026-11-27T10:01:00+09:00"
    assert await feed(client) == []
    assert (await client.get("/sim/received")).json()["items"][0]["result"] is None

    now += timedelta(seconds=60)
    items = await feed(client)

    assert [i["body"]["receipt_no"] for i in items] == [first["receipt_no"], second["receipt_no"]]
    assert await feed(client) == items  # fetching again issues nothing more


async def test_an_injected_result_replaces_the_notices_own(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    app.state.simulator.result_delay = timedelta(days=1)
    payload = notice(notice_body())
    await send(client, payload)

    injected = await client.post(
        "/sim/results",
        json={
            "receipt_no": "MJ-000001",
            "result": "error",
            "error_code": "R-ADDRESS-UNKNOWN",
            "error_items": ["address"],
            "message": "住居地を確認してください",
        },
    )
    app.state.simulator.clock = lambda: datetime.now(JST) + timedelta(days=2)  # its own is due

    assert injected.status_code == 201, injected.text
    [item] = await feed(client)
    assert item["cursor"] == injected.json()["cursor"]
    assert item["body"]["event_id"] == payload["event_id"]
    assert (item["body"]["error_code"], item["body"]["error_items"]) == (
        "R-ADDRESS-UNKNOWN",
        ["address"],
    )


async def test_a_result_can_name_a_notice_the_ward_never_sent(client: httpx.AsyncClient) -> None:
    response = await client.post("/sim/results", json={"receipt_no": "MJ-999999", "result": "ok"})

    assert response.status_code == 201
    [item] = await feed(client)
    assert (item["body"]["receipt_no"], item["body"]["event_id"]) == ("MJ-999999", None)


@pytest.mark.parametrize(
    "body",
    [
        {"receipt_no": "MJ-000001", "result": "error"},
        {"receipt_no": "MJ-000001", "result": "ok", "error_code": "R-CARD-UNKNOWN"},
        {"receipt_no": "MJ-000001", "result": "error", "error_code": "card unknown"},
        {"receipt_no": "", "result": "ok"},
    ],
)
async def test_malformed_injected_results_are_refused(
    client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    response = await client.post("/sim/results", json=body)

    assert (response.status_code, response.json()["code"]) == (400, "E-FORMAT")
    assert await feed(client) == []


async def test_a_reissued_card_voids_the_old_number(client: httpx.AsyncClient) -> None:
    await seed(client)
    issued = await client.post(
        "/sim/director-notices",
        json={
            "kind": "card_issued",
            "residence_card_no": CARD,
            "effective_date": "20261201",
            "corrections": {"residence_card_no": OTHER_CARD},
            "notice_text": "在留カードを再交付しました。",
        },
    )
    assert issued.status_code == 201, issued.text

    await send(client, notice(notice_body()))
    await send(client, notice(notice_body(residence_card_no=OTHER_CARD)))

    found = await results(client)
    assert found["MJ-000001"]["error_code"] == "R-CARD-REPLACED"
    assert found["MJ-000002"]["result"] == "ok"
