"""Fault injection on /intermediate/v1/* (shared with the other simulators: jumin_simulator) and
/sim/reset."""

from __future__ import annotations

import httpx
from jumin_testing.simulator_faults import check_busy, check_down, check_latency, check_timeout
from jumin_testing.simulator_kit import set_faults

from .builders import FUGO, ask, copies, inquiry, member_items, operation, records, send


async def test_latency_delays_every_call(client: httpx.AsyncClient) -> None:
    await check_latency(client, "/intermediate/v1/copies")


async def test_error_rate_one_answers_every_call_busy_and_stores_nothing(
    client: httpx.AsyncClient,
) -> None:
    payload = operation("register", member_items())

    await check_busy(
        client,
        lambda: send(client, payload),
        event_id=payload["event_id"],
        read_path="/intermediate/v1/copies",
    )

    assert (await client.get("/sim/received")).json()["items"] == []  # /sim/* is unaffected


async def test_a_lost_reply_stores_the_copy_and_the_retry_gets_the_replay(
    client: httpx.AsyncClient,
) -> None:
    await set_faults(client, lost_reply_rate=1.0)
    payload = operation("register", member_items())
    key = "7b0f3c52-2f7e-4a7e-9d5c-3f1e2a4b5c6d"

    lost = await send(client, payload, key=key)

    assert (lost.status_code, lost.json()["code"]) == (503, "E-BUSY")
    assert (await client.get("/intermediate/v1/copies")).status_code == 200  # messages only
    await client.delete("/sim/faults")
    assert len(await copies(client)) == 1  # it was taken
    retried = await send(client, payload, key=key)

    assert (retried.status_code, retried.json()["replayed"]) == (200, True)
    [copy] = await copies(client)
    assert copy["version"] == 1  # not registered twice, no E-ALREADY-REGISTERED
    counts = (await client.get("/sim/received/counts")).json()
    assert counts[payload["event_id"]] == {"accepted": 1, "attempts": 2}


async def test_rejected_people_are_refused_and_others_pass(client: httpx.AsyncClient) -> None:
    await set_faults(client, reject_fugos=[FUGO])

    refused = await send(client, operation("register", member_items()))
    await client.delete("/sim/faults")
    accepted = await send(client, operation("register", member_items()))

    assert (refused.status_code, refused.json()["code"]) == (422, "E-REJECTED")
    assert FUGO not in refused.text
    assert accepted.status_code == 201
    assert len(await copies(client)) == 1


async def test_down_answers_at_once_with_e_down(client: httpx.AsyncClient) -> None:
    await check_down(client, lambda: send(client, operation("register", member_items())))


async def test_timeout_makes_the_client_give_up(client: httpx.AsyncClient) -> None:
    await check_timeout(client, "/intermediate/v1/provision-records", {"fugo": FUGO})


async def test_invalid_fault_settings_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.put(
        "/sim/faults",
        json={"error_rate": 1.5, "reject_fugos": ["123456789018"], "reject_juminhyo_codes": []},
    )

    assert response.status_code == 400
    assert {tuple(e["loc"][:2]) for e in response.json()["errors"]} == {
        ("body", "error_rate"),
        ("body", "reject_fugos"),
        ("body", "reject_juminhyo_codes"),  # the 中間サーバー knows no 住民票コード
    }
    assert "123456789018" not in response.text


async def test_reset_forgets_everything(client: httpx.AsyncClient) -> None:
    await send(client, operation("register", member_items()))
    await ask(client, inquiry())
    await client.put(
        "/sim/legal-bases",
        json={
            "basis_id": "extra",
            "clause": "test",
            "affair": "test",
            "requester": "test",
            "data_items": ["juminhyo_kankei"],
        },
    )
    await set_faults(client, latency_ms=10)

    assert (await client.post("/sim/reset")).status_code == 204

    assert await copies(client) == []
    assert await records(client) == []
    assert (await client.get("/sim/received/counts")).json() == {}
    assert "extra" not in {b["basis_id"] for b in (await client.get("/sim/legal-bases")).json()}
    assert (await client.get("/sim/faults")).json()["latency_ms"] == 0
    again = (await send(client, operation("register", member_items()))).json()
    assert (again["receipt_no"], again["version"]) == ("IM-000001", 1)
