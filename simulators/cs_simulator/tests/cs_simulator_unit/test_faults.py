"""Fault injection on /cs/v1/* and /sim/reset."""

from __future__ import annotations

from typing import Any

import httpx
from cs_simulator.config import Settings
from cs_simulator.entrypoints.app import create_app
from jumin_testing.simulator_faults import check_busy, check_down, check_latency, check_timeout
from jumin_testing.simulator_kit import set_faults

from .builders import BODIES, identity_body, juminhyo_code, message, send


async def test_latency_delays_every_cs_call(client: httpx.AsyncClient) -> None:
    await check_latency(client, "/cs/v1/notifications")


async def test_error_rate_one_answers_every_cs_call_busy(client: httpx.AsyncClient) -> None:
    payload = message("identity", identity_body(juminhyo_code(1)))

    await check_busy(
        client,
        lambda: send(client, payload),
        event_id=payload["event_id"],
        read_path="/cs/v1/notifications",
        attempts=5,
    )

    assert (await client.get("/sim/received")).json()["items"] == []  # /sim/* is unaffected


async def test_a_lost_reply_stores_the_message_and_the_retry_gets_the_replay(
    client: httpx.AsyncClient,
) -> None:
    await set_faults(client, lost_reply_rate=1.0)
    payload = message("identity", identity_body(juminhyo_code(1)))
    key = "7b0f3c52-2f7e-4a7e-9d5c-3f1e2a4b5c6d"

    lost = await send(client, payload, key=key)

    assert (lost.status_code, lost.json()["code"]) == (503, "E-BUSY")
    counts = (await client.get("/sim/received/counts")).json()
    assert counts[payload["event_id"]] == {"accepted": 1, "attempts": 1}  # CS took it
    assert (await client.get("/cs/v1/notifications")).status_code == 200  # messages only

    await client.delete("/sim/faults")
    retried = await send(client, payload, key=key)

    assert retried.status_code == 200
    assert retried.json()["replayed"] is True
    counts = (await client.get("/sim/received/counts")).json()
    assert counts[payload["event_id"]] == {"accepted": 1, "attempts": 2}
    stored = (await client.get("/sim/received")).json()["items"]
    assert [item["receipt_no"] for item in stored] == [retried.json()["receipt_no"]]


async def test_faults_draw_the_same_sequence_under_the_same_seed(settings: Settings) -> None:
    async def statuses() -> list[int]:
        transport = httpx.ASGITransport(app=create_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://cs") as client:
            await set_faults(client, error_rate=0.5)
            return [(await client.get("/cs/v1/notifications")).status_code for _ in range(30)]

    first, second = await statuses(), await statuses()

    assert first == second
    assert {200, 503} == set(first)


async def test_rejected_people_are_refused_for_every_message_about_them(
    client: httpx.AsyncClient,
) -> None:
    refused, other = juminhyo_code(1), juminhyo_code(2)
    await set_faults(client, reject_juminhyo_codes=[refused])

    answers = [await send(client, message(t, body(refused))) for t, body in BODIES.items()]
    accepted = await send(client, message("identity", identity_body(other)))

    assert {(r.status_code, r.json()["code"]) for r in answers} == {(422, "E-REJECTED")}
    assert refused not in "".join(r.text for r in answers)
    assert accepted.status_code == 201
    assert len((await client.get("/sim/received")).json()["items"]) == 1


async def test_down_answers_at_once_with_e_down(client: httpx.AsyncClient) -> None:
    await check_down(
        client,
        lambda: client.post(
            "/cs/v1/free-codes", json={"count": 1}, headers={"Idempotency-Key": "x"}
        ),
    )


async def test_timeout_makes_the_client_give_up(client: httpx.AsyncClient) -> None:
    await check_timeout(client, "/cs/v1/notifications")


async def test_deleting_faults_restores_service(client: httpx.AsyncClient) -> None:
    await set_faults(client, down=True)
    await client.delete("/sim/faults")

    response = await client.get("/cs/v1/notifications")

    assert response.status_code == 200
    assert (await client.get("/sim/faults")).json() == {
        "latency_ms": 0,
        "error_rate": 0.0,
        "timeout_rate": 0.0,
        "lost_reply_rate": 0.0,
        "reject_juminhyo_codes": [],
        "down": False,
    }


async def test_invalid_fault_settings_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.put("/sim/faults", json={"error_rate": 1.5, "chaos": True})

    assert response.status_code == 400
    assert {tuple(e["loc"]) for e in response.json()["errors"]} == {
        ("body", "error_rate"),
        ("body", "chaos"),
    }


async def test_reset_forgets_everything(client: httpx.AsyncClient, app: Any) -> None:
    await send(client, message("identity", identity_body(juminhyo_code(1))))
    await send(client, message("my_number_request", BODIES["my_number_request"](juminhyo_code(1))))
    await client.post(
        "/sim/move-in-notices",
        json={
            "juminhyo_code": juminhyo_code(2),
            "moved_in_on": "20261201",
            "new_address": "大阪府大阪市北区中之島一丁目3番20号",
            "new_municipality_code": "271004",
        },
    )
    await set_faults(client, latency_ms=10)

    assert (await client.post("/sim/reset")).status_code == 204

    assert (await client.get("/sim/received")).json() == {"items": []}
    assert (await client.get("/sim/received/counts")).json() == {}
    assert (await client.get("/cs/v1/notifications")).json() == {"items": [], "next": 0}
    assert (await client.get("/cs/v1/identities")).json() == {"items": [], "next": None}
    assert (await client.get("/sim/faults")).json()["latency_ms"] == 0
    assert app.state.simulator.pending == set()  # the 個人番号 answer will not come
    response = await send(client, message("identity", identity_body(juminhyo_code(1))))
    assert response.json()["receipt_no"] == "CS-000001"
