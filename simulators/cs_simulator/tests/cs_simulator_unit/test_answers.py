"""Answers (CS → ward): 個人番号, 転入通知, free codes, held identities."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
from cs_simulator.config import Settings
from cs_simulator.domain.state import CsState
from cs_simulator.entrypoints.app import create_app
from jumin_contracts.check_digits import is_valid_juminhyo_code, is_valid_my_number

from .builders import BODIES, identity_body, juminhyo_code, message, send

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


async def _poll_notifications(client: httpx.AsyncClient, count: int) -> list[dict[str, Any]]:
    async with asyncio.timeout(30):
        while True:
            items: list[dict[str, Any]] = (await client.get("/cs/v1/notifications")).json()["items"]
            if len(items) >= count:
                return items
            await asyncio.sleep(0.05)


async def test_my_number_answer_arrives_after_the_delay_in_the_requests_trace(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    code = juminhyo_code(5)
    started = time.monotonic()
    response = await send(
        client,
        message("my_number_request", BODIES["my_number_request"](code)),
        headers={"traceparent": TRACEPARENT},
    )
    assert (await client.get("/cs/v1/notifications")).json()["items"] == []

    [answer] = await _poll_notifications(client, 1)

    assert time.monotonic() - started >= settings.my_number_delay
    assert answer["type"] == "my_number_generated"
    assert answer["body"]["juminhyo_code"] == code
    assert is_valid_my_number(answer["body"]["my_number"])
    assert answer["body"]["request_receipt_no"] == response.json()["receipt_no"]
    assert answer["traceparent"].split("-")[1] == TRACE_ID
    [stored] = (await client.get("/sim/received")).json()["items"]
    assert stored["traceparent"].split("-")[1] == TRACE_ID


async def test_change_request_gets_a_new_number_and_new_request_keeps_it(
    client: httpx.AsyncClient,
) -> None:
    code = juminhyo_code(5)
    for reason in ("new", "new", "change"):
        body = {"juminhyo_code": code, "reason": reason}
        await send(client, message("my_number_request", body))

    answers = await _poll_notifications(client, 3)

    numbers = [a["body"]["my_number"] for a in answers]
    assert numbers[0] == numbers[1] != numbers[2]


async def test_a_replayed_request_is_answered_once(client: httpx.AsyncClient) -> None:
    key = str(uuid4())
    payload = message("my_number_request", BODIES["my_number_request"](juminhyo_code(5)))
    await send(client, payload, key=key)
    await send(client, payload, key=key)
    await send(client, message("identity", identity_body(juminhyo_code(6))))
    await send(client, message("my_number_request", BODIES["my_number_request"](juminhyo_code(7))))

    answers = await _poll_notifications(client, 2)

    assert [a["body"]["request_receipt_no"] for a in answers] == ["CS-000001", "CS-000003"]


async def test_move_in_notices_are_fetched_by_cursor_and_kept(client: httpx.AsyncClient) -> None:
    notices = [
        {
            "juminhyo_code": juminhyo_code(n),
            "moved_in_on": "20261201",
            "new_address": "大阪府大阪市北区中之島一丁目3番20号",
            "new_municipality_code": "271004",
        }
        for n in (1, 2)
    ]
    for notice in notices:
        assert (await client.post("/sim/move-in-notices", json=notice)).status_code == 201

    first = (await client.get("/cs/v1/notifications", params={"after": 0, "limit": 1})).json()
    second = (await client.get("/cs/v1/notifications", params={"after": first["next"]})).json()
    empty = (await client.get("/cs/v1/notifications", params={"after": second["next"]})).json()
    again = (await client.get("/cs/v1/notifications", params={"after": 0})).json()

    assert [i["body"] for i in first["items"]] == [notices[0]]
    assert first["items"][0]["type"] == "move_in_notice"
    assert [i["body"] for i in second["items"]] == [notices[1]]
    assert empty == {"items": [], "next": second["next"]}
    assert second["next"] == first["next"] + 1
    assert len(again["items"]) == 2  # reading removes nothing


async def test_a_restarted_simulator_keeps_cursors_above_those_handed_out_before() -> None:
    before = CsState()
    before.notify(type_="move_in_notice", body={}, now=datetime.now(UTC), traceparent=None)
    stored = before.notifications[-1].cursor  # what the ward stored
    after = CsState()  # a restart forgets everything
    fresh = after.notify(type_="move_in_notice", body={}, now=datetime.now(UTC), traceparent=None)

    assert fresh.cursor > stored
    assert after.notifications_after(stored, 10) == [fresh]


async def test_bad_move_in_notice_and_bad_limit_are_refused(client: httpx.AsyncClient) -> None:
    bad_notice = {"juminhyo_code": juminhyo_code(1), "moved_in_on": "2026-12-01"}
    notice = await client.post("/sim/move-in-notices", json=bad_notice)
    page = await client.get("/cs/v1/notifications", params={"limit": 501})

    assert notice.status_code == 400
    assert {tuple(e["loc"]) for e in notice.json()["errors"]} == {
        ("body", "moved_in_on"),
        ("body", "new_address"),
        ("body", "new_municipality_code"),
    }
    assert page.status_code == 400
    assert page.json()["errors"][0]["loc"] == ["query", "limit"]


async def test_free_codes_are_valid_and_unique_across_batches(client: httpx.AsyncClient) -> None:
    key = str(uuid4())
    first = await client.post(
        "/cs/v1/free-codes", json={"count": 2000}, headers={"Idempotency-Key": key}
    )
    second = await client.post(
        "/cs/v1/free-codes", json={"count": 2000}, headers={"Idempotency-Key": str(uuid4())}
    )
    repeated = await client.post(
        "/cs/v1/free-codes", json={"count": 2000}, headers={"Idempotency-Key": key}
    )
    reused = await client.post(
        "/cs/v1/free-codes", json={"count": 3}, headers={"Idempotency-Key": key}
    )

    assert (first.status_code, second.status_code, repeated.status_code) == (201, 201, 200)
    codes = first.json()["codes"] + second.json()["codes"]
    assert len(codes) == len(set(codes)) == 4000
    assert all(is_valid_juminhyo_code(code) for code in codes)
    assert repeated.json() == first.json()
    assert reused.status_code == 409
    assert reused.json()["code"] == "E-KEY-REUSED"


async def test_free_code_count_is_bounded(client: httpx.AsyncClient) -> None:
    for count in (0, 10_001):
        response = await client.post(
            "/cs/v1/free-codes", json={"count": count}, headers={"Idempotency-Key": str(uuid4())}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["loc"] == ["body", "count"]


async def test_identities_hold_the_latest_body_per_code_with_paging(
    client: httpx.AsyncClient,
) -> None:
    codes = sorted(juminhyo_code(n) for n in (3, 1, 2))
    for code in codes:
        await send(client, message("identity", identity_body(code)))
    moved = "東京都新宿区西新宿二丁目8番1号"
    await send(client, message("identity", identity_body(codes[0], address=moved)))
    await send(client, message("my_number_request", BODIES["my_number_request"](juminhyo_code(9))))

    first = (await client.get("/cs/v1/identities", params={"limit": 2})).json()
    rest = (await client.get("/cs/v1/identities", params={"after": first["next"]})).json()

    assert [i["juminhyo_code"] for i in first["items"]] == codes[:2]
    assert first["next"] == codes[1]
    assert [i["juminhyo_code"] for i in rest["items"]] == codes[2:]
    assert rest["next"] is None
    assert first["items"][0]["body"]["address"] == moved
    assert first["items"][0]["receipt_no"] == "CS-000004"


async def test_an_identity_with_a_changed_code_moves_the_person_to_the_new_code(
    client: httpx.AsyncClient,
) -> None:
    old, new, other = juminhyo_code(11), juminhyo_code(12), juminhyo_code(13)
    await send(client, message("identity", identity_body(old)))
    await send(client, message("identity", identity_body(other)))

    await send(
        client,
        message(
            "identity",
            identity_body(new, previous_juminhyo_code=old, change_reason="juminhyo_code_change"),
        ),
    )

    held = (await client.get("/cs/v1/identities")).json()["items"]
    assert [i["juminhyo_code"] for i in held] == [new, other]
    assert "previous_juminhyo_code" not in held[0]["body"], "a marker, not an item CS holds"


async def test_free_codes_skip_codes_the_ward_already_uses(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # the same seed draws the same codes: a twin simulator tells which code comes first
    twin = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings)), base_url="http://cs"
    )
    async with twin:
        first_code = (await _free_codes(twin, 1))[0]
    await send(client, message("identity", identity_body(first_code)))

    codes = await _free_codes(client, 1)

    assert codes != [first_code]
    assert is_valid_juminhyo_code(codes[0])


async def _free_codes(client: httpx.AsyncClient, count: int) -> list[str]:
    response = await client.post(
        "/cs/v1/free-codes", json={"count": count}, headers={"Idempotency-Key": str(uuid4())}
    )
    codes: list[str] = response.json()["codes"]
    return codes
