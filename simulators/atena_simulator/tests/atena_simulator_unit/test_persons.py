"""宛名連携: one 団体内統合宛名番号 per person, the 符号 round trip, replays and key reuse."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
from fastapi import FastAPI
from jumin_simulator.clock import JST
from jumin_simulator.formats import FUGO_PATTERN

from .builders import (
    ATENA_NO,
    JUMINHYO_CODE,
    MY_NUMBER,
    OTHER_ATENA_NO,
    OTHER_JUMINHYO_CODE,
    OTHER_MY_NUMBER,
    feed,
    lookup,
    message,
    person,
    send,
    sent,
)


async def test_a_person_is_numbered_on_first_sight_and_keeps_the_number(
    client: httpx.AsyncClient,
) -> None:
    first = await sent(client, message(person()))
    again = await sent(client, message(person(address="東京都新宿区新宿一丁目1番1号")))
    other = await sent(
        client,
        message(person(atena_no=OTHER_ATENA_NO, juminhyo_code=OTHER_JUMINHYO_CODE, my_number=None)),
    )

    assert (first["first_sight"], again["first_sight"], other["first_sight"]) == (
        True,
        False,
        True,
    )
    assert first["integrated_atena_no"] == again["integrated_atena_no"]
    assert other["integrated_atena_no"] != first["integrated_atena_no"]
    numbers = {first["integrated_atena_no"], other["integrated_atena_no"]}
    assert all(len(n) == 15 and n.isdigit() for n in numbers)
    assert not numbers & {ATENA_NO, OTHER_ATENA_NO, JUMINHYO_CODE, MY_NUMBER}


async def test_another_system_or_a_new_atena_no_finds_the_same_person(
    client: httpx.AsyncClient,
) -> None:
    juki = await sent(client, message(person()))
    # 税 knows the person by its own 宛名番号 and the 個人番号 (名寄せ)
    tax = await sent(
        client,
        message(person(system="tax", atena_no=OTHER_ATENA_NO, juminhyo_code=OTHER_JUMINHYO_CODE)),
    )
    # the registry under a new 宛名番号 but the same 住民票コード
    renumbered = await sent(client, message(person(atena_no="0000000035", my_number=None)))

    assert tax["integrated_atena_no"] == juki["integrated_atena_no"]
    assert renumbered["integrated_atena_no"] == juki["integrated_atena_no"]
    assert (tax["first_sight"], renumbered["first_sight"]) == (False, False)
    [held] = (await client.get("/sim/persons")).json()
    assert held["links"] == ["juki:0000000019", "tax:0000000027", "juki:0000000035"]
    assert held["my_number"] == MY_NUMBER  # a system that does not know it changes nothing


async def test_the_fugo_comes_back_by_cursor_and_by_lookup(client: httpx.AsyncClient) -> None:
    answer = await sent(client, message(person()))

    [notice] = await feed(client)
    by_number = await lookup(client, integrated_atena_no=answer["integrated_atena_no"])
    by_atena_no = await lookup(client, atena_no=ATENA_NO)

    assert notice["type"] == "fugo_obtained"
    body = notice["body"]
    assert body["integrated_atena_no"] == answer["integrated_atena_no"]
    assert re.fullmatch(FUGO_PATTERN, body["fugo"])
    acquisition_no = body["acquisition_no"]
    assert re.fullmatch(r"Q[0-9]{15}", acquisition_no)  # neither a 個人番号 nor a 住民票コード
    assert acquisition_no[1:] not in {MY_NUMBER, JUMINHYO_CODE}
    assert by_number.json() == by_atena_no.json()
    assert by_number.json() == {
        "integrated_atena_no": answer["integrated_atena_no"],
        "fugo_status": "obtained",
        "acquisition_no": acquisition_no,
        "fugo": body["fugo"],
    }
    await sent(client, message(person(address="東京都新宿区新宿一丁目1番1号")))
    assert len(await feed(client)) == 1  # one 符号 per person, asked for once


async def test_a_person_without_my_number_gets_the_fugo_once_the_number_is_registered(
    client: httpx.AsyncClient,
) -> None:
    newborn = await sent(client, message(person(my_number=None)))

    assert newborn["fugo_status"] == "no_my_number"
    assert await feed(client) == []
    waiting = (await lookup(client, atena_no=ATENA_NO)).json()
    assert (waiting["fugo_status"], waiting["acquisition_no"], waiting["fugo"]) == (
        "no_my_number",
        None,
        None,
    )

    numbered = await sent(client, message(person(my_number=OTHER_MY_NUMBER)))

    assert numbered["integrated_atena_no"] == newborn["integrated_atena_no"]
    assert numbered["fugo_status"] == "requested"
    [notice] = await feed(client)
    assert notice["body"]["integrated_atena_no"] == newborn["integrated_atena_no"]


async def test_the_fugo_takes_its_time(app: FastAPI, client: httpx.AsyncClient) -> None:
    sim = app.state.simulator
    sim.fugo_delay = timedelta(seconds=60)
    now = datetime(2026, 12, 1, 10, 0, tzinfo=JST)
    sim.clock = lambda: now
    answer = await sent(client, message(person()))

    assert answer["fugo_status"] == "requested"
    assert await feed(client) == []
    assert (await lookup(client, atena_no=ATENA_NO)).json()["fugo"] is None
    sim.clock = lambda: now + timedelta(seconds=61)
    assert len(await feed(client)) == 1
    assert (await lookup(client, atena_no=ATENA_NO)).json()["fugo_status"] == "obtained"


async def test_a_resend_gets_the_stored_answer_and_another_body_is_refused(
    client: httpx.AsyncClient,
) -> None:
    key = "0b7d1c2e-3f4a-4b5c-9d6e-7f8091a2b3c4"
    payload = message(person(my_number=None))
    first = await send(client, payload, key=key)
    await sent(client, message(person()))  # the number arrives meanwhile

    again = await send(client, {**payload, "sent_at": "2026-12-01T10:05:00+09:00"}, key=key)
    other = await send(client, message(person(family_name="佐藤")), key=key)

    assert again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}  # as answered then
    assert (other.status_code, other.json()["code"]) == (409, "E-KEY-REUSED")
    assert len((await client.get("/sim/received")).json()["items"]) == 2


async def test_lookups_name_one_known_person(client: httpx.AsyncClient) -> None:
    await sent(client, message(person()))

    unknown = await lookup(client, atena_no=OTHER_ATENA_NO)
    both = await lookup(client, atena_no=ATENA_NO, integrated_atena_no="000000000000001")
    neither = await lookup(client)

    assert (unknown.status_code, unknown.json()["code"]) == (404, "E-NOT-FOUND")
    assert {(r.status_code, r.json()["code"]) for r in (both, neither)} == {(400, "E-FORMAT")}


async def test_malformed_messages_are_refused_naming_fields_not_values(
    client: httpx.AsyncClient,
) -> None:
    bad = person(juminhyo_code="12345678900", my_number="123456789010", atena_no="0000000010")
    payload = message(bad) | {"municipality_code": "131041"}

    response = await send(client, payload)
    foreign = await send(client, message(person()) | {"municipality_code": "132012"})

    assert (response.status_code, response.json()["code"]) == (400, "E-FORMAT")
    fields = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert fields == {
        ("body", "body", "juminhyo_code"),
        ("body", "body", "my_number"),
        ("body", "body", "atena_no"),
    }
    for value in ("12345678900", "123456789010", "0000000010"):
        assert value not in response.text
    assert (foreign.status_code, foreign.json()["errors"][0]["loc"]) == (
        400,
        ["body", "municipality_code"],
    )
    assert (await client.get("/sim/persons")).json() == []
