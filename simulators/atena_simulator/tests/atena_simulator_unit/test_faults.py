"""Fault injection on /atena/v1/* (shared with the other simulators: jumin_simulator) and /sim/reset."""

from __future__ import annotations

from typing import Any

import httpx
from jumin_testing.simulator_faults import check_busy, check_down, check_latency, check_timeout
from jumin_testing.simulator_kit import set_faults

from .builders import JUMINHYO_CODE, feed, message, person, send


async def _persons(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await client.get("/sim/persons")).json()
    return items


async def test_latency_delays_every_call(client: httpx.AsyncClient) -> None:
    await check_latency(client, "/atena/v1/notifications")


async def test_error_rate_one_answers_every_call_busy_and_stores_nothing(
    client: httpx.AsyncClient,
) -> None:
    payload = message(person())

    await check_busy(
        client,
        lambda: send(client, payload),
        event_id=payload["event_id"],
        read_path="/atena/v1/notifications",
    )

    assert await _persons(client) == []  # /sim/* is unaffected


async def test_a_lost_reply_numbers_the_person_and_the_retry_gets_the_same_answer(
    client: httpx.AsyncClient,
) -> None:
    await set_faults(client, lost_reply_rate=1.0)
    payload = message(person())
    key = "5a0f3c52-2f7e-4a7e-9d5c-3f1e2a4b5c6d"

    lost = await send(client, payload, key=key)

    assert (lost.status_code, lost.json()["code"]) == (503, "E-BUSY")
    assert (await client.get("/atena/v1/notifications")).status_code == 200  # messages only
    await client.delete("/sim/faults")
    [held] = await _persons(client)  # it was taken
    retried = await send(client, payload, key=key)

    assert (retried.status_code, retried.json()["replayed"]) == (200, True)
    assert retried.json()["integrated_atena_no"] == held["integrated_atena_no"]
    assert retried.json()["first_sight"] is True  # as answered the first time
    assert len(await _persons(client)) == 1
    assert len(await feed(client)) == 1  # one 符号, not two
    counts = (await client.get("/sim/received/counts")).json()
    assert counts[payload["event_id"]] == {"accepted": 1, "attempts": 2}


async def test_rejected_people_are_refused_and_others_pass(client: httpx.AsyncClient) -> None:
    await set_faults(client, reject_juminhyo_codes=[JUMINHYO_CODE])

    refused = await send(client, message(person()))
    await client.delete("/sim/faults")
    accepted = await send(client, message(person()))

    assert (refused.status_code, refused.json()["code"]) == (422, "E-REJECTED")
    assert JUMINHYO_CODE not in refused.text
    assert accepted.status_code == 201
    assert len(await _persons(client)) == 1


async def test_down_answers_at_once_with_e_down(client: httpx.AsyncClient) -> None:
    await check_down(client, lambda: send(client, message(person())))


async def test_timeout_makes_the_client_give_up(client: httpx.AsyncClient) -> None:
    await check_timeout(client, "/atena/v1/persons", {"atena_no": "0000000019"})


async def test_invalid_fault_settings_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.put(
        "/sim/faults", json={"error_rate": 1.5, "reject_juminhyo_codes": ["12345678900"]}
    )

    assert response.status_code == 400
    assert {tuple(e["loc"][:2]) for e in response.json()["errors"]} == {
        ("body", "error_rate"),
        ("body", "reject_juminhyo_codes"),
    }
    assert "12345678900" not in response.text


async def test_reset_forgets_everything(client: httpx.AsyncClient) -> None:
    await send(client, message(person()))
    await set_faults(client, latency_ms=10)

    assert (await client.post("/sim/reset")).status_code == 204

    assert await _persons(client) == []
    assert (await client.get("/sim/received")).json()["items"] == []
    assert (await client.get("/sim/received/counts")).json() == {}
    assert await feed(client) == []
    assert (await client.get("/sim/faults")).json()["latency_ms"] == 0
    again = (await send(client, message(person()))).json()
    assert (again["receipt_no"], again["integrated_atena_no"]) == ("AT-000001", "000000000000001")
