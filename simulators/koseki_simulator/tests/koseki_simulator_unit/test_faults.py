"""Fault injection on /koseki/v1/* (shared with the CS simulator: jumin_simulator) and /sim/reset."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from jumin_testing.simulator_faults import check_busy, check_down, check_latency, check_timeout
from jumin_testing.simulator_kit import set_faults

from .builders import MOTHER, feed, fuhyo, notice, notice_body, seed, send


async def test_latency_delays_every_call(client: httpx.AsyncClient) -> None:
    await check_latency(client, "/koseki/v1/fuhyo")


async def test_error_rate_one_answers_every_call_busy_and_stores_nothing(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    payload = notice(notice_body())

    await check_busy(
        client,
        lambda: send(client, payload),
        event_id=payload["event_id"],
        read_path="/koseki/v1/notifications",
    )

    assert (await client.get("/sim/received")).json()["items"] == []  # /sim/* is unaffected


async def test_a_lost_reply_applies_the_notice_and_the_retry_gets_the_replay(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    await set_faults(client, lost_reply_rate=1.0)
    payload = notice(notice_body())
    key = "7b0f3c52-2f7e-4a7e-9d5c-3f1e2a4b5c6d"

    lost = await send(client, payload, key=key)

    assert (lost.status_code, lost.json()["code"]) == (503, "E-BUSY")
    assert (await client.get("/koseki/v1/fuhyo")).status_code == 200  # notices only
    await client.delete("/sim/faults")
    assert (await fuhyo(client))[MOTHER]["address_since"] == "20261120"  # it was taken
    retried = await send(client, payload, key=key)

    assert (retried.status_code, retried.json()["replayed"]) == (200, True)
    assert len((await fuhyo(client))[MOTHER]["addresses"]) == 2
    counts = (await client.get("/sim/received/counts")).json()
    assert counts[payload["event_id"]] == {"accepted": 1, "attempts": 2}


async def test_rejected_people_are_refused_and_others_pass(client: httpx.AsyncClient) -> None:
    await seed(client)
    await set_faults(client, reject_juminhyo_codes=[MOTHER])

    refused = await send(client, notice(notice_body()))
    await client.delete("/sim/faults")
    accepted = await send(client, notice(notice_body()))

    assert (refused.status_code, refused.json()["code"]) == (422, "E-REJECTED")
    assert MOTHER not in refused.text
    assert accepted.status_code == 201
    assert len((await client.get("/sim/received")).json()["items"]) == 1


async def test_down_answers_at_once_with_e_down(client: httpx.AsyncClient) -> None:
    await check_down(client, lambda: send(client, notice(notice_body())))


async def test_timeout_makes_the_client_give_up(client: httpx.AsyncClient) -> None:
    await check_timeout(client, "/koseki/v1/notifications")


async def test_invalid_fault_settings_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.put("/sim/faults", json={"error_rate": 1.5, "chaos": True})

    assert response.status_code == 400
    assert {tuple(e["loc"]) for e in response.json()["errors"]} == {
        ("body", "error_rate"),
        ("body", "chaos"),
    }


async def test_reset_forgets_everything(client: httpx.AsyncClient, app: FastAPI) -> None:
    await seed(client)
    await send(client, notice(notice_body(given_name="華子")))  # a mismatch: a collation notice
    await set_faults(client, latency_ms=10)

    assert (await client.post("/sim/reset")).status_code == 204

    assert (await client.get("/sim/koseki")).json() == {"items": []}
    assert (await client.get("/sim/received")).json() == {"items": []}
    assert (await client.get("/sim/received/counts")).json() == {}
    assert await feed(client) == []
    assert (await client.get("/sim/faults")).json()["latency_ms"] == 0
    await seed(client)
    assert (await send(client, notice(notice_body()))).json()["receipt_no"] == "FH-000001"
