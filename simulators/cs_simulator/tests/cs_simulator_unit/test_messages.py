"""Sending (ward → CS): receipt, replay, key reuse, format errors."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from .builders import BODIES, identity_body, juminhyo_code, message, send


@pytest.mark.parametrize("type_", list(BODIES))
async def test_every_message_type_is_accepted_and_stored(
    client: httpx.AsyncClient, type_: str
) -> None:
    code = juminhyo_code(11)
    payload = message(type_, BODIES[type_](code))
    key = str(uuid4())

    response = await send(client, payload, key=key)

    assert response.status_code == 201
    assert response.json()["receipt_no"] == "CS-000001"
    assert response.json()["replayed"] is False
    stored = (await client.get("/sim/received", params={"type": type_})).json()["items"]
    assert len(stored) == 1
    assert stored[0]["idempotency_key"] == key
    assert stored[0]["event_id"] == payload["event_id"]
    assert stored[0]["body"]["juminhyo_code"] == code
    assert stored[0]["receipt_no"] == "CS-000001"


async def test_replay_returns_the_stored_reply_and_stores_nothing_twice(
    client: httpx.AsyncClient,
) -> None:
    payload = message("identity", identity_body(juminhyo_code(1)))
    key = str(uuid4())
    first = await send(client, payload, key=key)

    resent = {**payload, "sent_at": "2026-11-27T10:05:00+09:00"}  # a retry sends later
    second = await send(client, resent, key=key)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == {**first.json(), "replayed": True}
    assert len((await client.get("/sim/received")).json()["items"]) == 1
    counts = (await client.get("/sim/received/counts")).json()
    assert counts[payload["event_id"]] == {"accepted": 1, "attempts": 2}


async def test_same_event_under_a_new_key_shows_as_a_duplicate(client: httpx.AsyncClient) -> None:
    payload = message("identity", identity_body(juminhyo_code(1)))
    await send(client, payload)
    await send(client, payload)

    counts = (await client.get("/sim/received/counts")).json()
    assert counts[payload["event_id"]] == {"accepted": 2, "attempts": 2}


async def test_key_reused_with_another_body_is_refused(client: httpx.AsyncClient) -> None:
    key = str(uuid4())
    payload = message("identity", identity_body(juminhyo_code(1)))
    await send(client, payload, key=key)
    other = message(
        "identity", identity_body(juminhyo_code(1), address="東京都新宿区西新宿二丁目8番1号")
    )

    response = await send(client, {**other, "event_id": payload["event_id"]}, key=key)

    assert response.status_code == 409
    assert response.json()["code"] == "E-KEY-REUSED"
    assert len((await client.get("/sim/received")).json()["items"]) == 1
    counts = (await client.get("/sim/received/counts")).json()
    assert counts[payload["event_id"]] == {"accepted": 1, "attempts": 2}


async def test_format_errors_name_the_fields_but_never_the_values(
    client: httpx.AsyncClient,
) -> None:
    body = identity_body(
        "12345678901",  # check digit wrong
        birth_date="19900230",  # no 30 February
        sex="3",
        nickname="はなちゃん",  # not an item of 本人確認情報
    )
    del body["change_date"]
    payload = message("identity", body)

    response = await send(client, payload)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "E-FORMAT"
    fields = {tuple(error["loc"]) for error in problem["errors"]}
    assert fields == {
        ("body", "body", field)
        for field in ("juminhyo_code", "birth_date", "sex", "nickname", "change_date")
    }
    for value in ("12345678901", "19900230", "はなちゃん", "新宿", "花子", "歌舞伎町"):
        assert value not in response.text
    assert (await client.get("/sim/received")).json()["items"] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_id", "not-a-uuid"),
        ("municipality_code", "131040"),  # check digit wrong
        ("municipality_code", "271004"),  # valid, but not the municipality this CS serves
        ("sent_at", "2026-11-27T10:00:00"),  # no offset
        ("type", "gossip"),
    ],
)
async def test_envelope_errors_name_the_field(
    client: httpx.AsyncClient, field: str, value: str
) -> None:
    payload = {**message("identity", identity_body(juminhyo_code(1))), field: value}

    response = await send(client, payload)

    assert response.status_code == 400
    assert response.json()["code"] == "E-FORMAT"
    assert [e["loc"] for e in response.json()["errors"]] == [["body", field]]


async def test_missing_idempotency_key_and_non_json_are_format_errors(
    client: httpx.AsyncClient,
) -> None:
    payload = message("identity", identity_body(juminhyo_code(1)))
    no_key = await client.post("/cs/v1/messages", json=payload)
    not_json = await client.post(
        "/cs/v1/messages",
        content=b"{not json",
        headers={"Idempotency-Key": str(uuid4()), "content-type": "application/json"},
    )

    assert no_key.status_code == 400
    assert no_key.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert not_json.status_code == 400
    assert not_json.json()["code"] == "E-FORMAT"


@pytest.mark.parametrize(
    ("birth_date", "accepted"),
    [
        ("20210400", True),  # 日不詳
        ("20210000", True),  # 月日不詳
        ("00000000", True),  # 不詳
        ("20240229", True),
        ("20230229", False),
        ("20211300", False),
        ("20210032", False),
        ("00000401", False),
        ("2021-04-01", False),
    ],
)
async def test_dates_follow_the_cs_convention_for_unknown_parts(
    client: httpx.AsyncClient, birth_date: str, accepted: bool
) -> None:
    payload = message("identity", identity_body(juminhyo_code(1), birth_date=birth_date))

    response = await send(client, payload)

    assert response.status_code == (201 if accepted else 400)


async def test_my_number_with_a_wrong_check_digit_is_refused(client: httpx.AsyncClient) -> None:
    body = BODIES["moveout_certificate"](juminhyo_code(1)) | {"my_number": "123456789012"}

    response = await send(client, message("moveout_certificate", body))

    assert response.status_code == 400
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "body", "my_number"]]
    assert "123456789012" not in response.text
