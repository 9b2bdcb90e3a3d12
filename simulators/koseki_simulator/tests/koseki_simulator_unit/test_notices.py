"""附票記載事項通知: validation, idempotent receipt, the 照合結果 and what it does to the 附票."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .builders import (
    ADDRESS,
    CHILD,
    FATHER,
    HONSEKI,
    MOTHER,
    feed,
    fuhyo,
    juminhyo_code,
    koseki,
    notice,
    notice_body,
    seed,
    send,
)


async def test_an_accepted_notice_writes_the_new_address_line_onto_the_fuhyo(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)

    response = await send(client, notice(notice_body()))

    assert response.status_code == 201, response.text
    assert response.json() | {"received_at": None} == {
        "receipt_no": "FH-000001",
        "received_at": None,
        "result": "accepted",
        "replayed": False,
    }
    held = (await fuhyo(client))[MOTHER]
    assert (held["address"], held["address_since"]) == ("東京都新宿区新宿三丁目1番1号", "20261120")
    assert [a["address"] for a in held["addresses"]] == [ADDRESS, "東京都新宿区新宿三丁目1番1号"]
    assert await feed(client) == []  # nothing to say back


async def test_the_same_key_and_notice_get_the_stored_answer_and_change_nothing_twice(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    payload = notice(notice_body())
    first = await send(client, payload, key="0f8c4f0e-9a53-4c55-9a38-0e5c5bb0d4a1")

    again = await send(
        client,
        payload | {"sent_at": "2026-11-27T10:05:00+09:00"},  # a retry has its own send time
        key="0f8c4f0e-9a53-4c55-9a38-0e5c5bb0d4a1",
    )

    assert again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    assert len((await fuhyo(client))[MOTHER]["addresses"]) == 2
    assert len((await client.get("/sim/received")).json()["items"]) == 1
    counts = (await client.get("/sim/received/counts")).json()
    assert counts[payload["event_id"]] == {"accepted": 1, "attempts": 2}


async def test_the_same_key_with_another_notice_is_refused_409(client: httpx.AsyncClient) -> None:
    await seed(client)
    key = "6a0d4c88-3b2f-4f7e-8d3c-2b1a0f9e8d7c"
    payload = notice(notice_body())
    await send(client, payload, key=key)

    other = await send(
        client, notice(notice_body(address="別の住所"), event_id=payload["event_id"]), key=key
    )

    assert (other.status_code, other.json()["code"]) == (409, "E-KEY-REUSED")
    assert other.headers["content-type"] == "application/problem+json"
    assert (await fuhyo(client))[MOTHER]["address"] == "東京都新宿区新宿三丁目1番1号"


MISMATCHES: dict[str, tuple[dict[str, Any], list[str], list[str]]] = {
    "name": ({"given_name": "華子"}, ["E-NAME-MISMATCH"], ["name"]),
    "birth date": ({"birth_date": "19820203"}, ["E-BIRTH-DATE-MISMATCH"], ["birth_date"]),
    "sex": ({"sex": "1"}, ["E-SEX-MISMATCH"], ["sex"]),
    "all three": (
        {"family_name": "渋谷", "birth_date": "19820200", "sex": "1"},
        ["E-NAME-MISMATCH", "E-BIRTH-DATE-MISMATCH", "E-SEX-MISMATCH"],
        ["name", "birth_date", "sex"],
    ),
    "person unknown": (
        {"juminhyo_code": juminhyo_code(99), "given_name": "次郎"},
        ["E-PERSON-UNKNOWN"],
        ["person"],
    ),
    "koseki unknown": (
        {"honseki": "東京都新宿区百人町一丁目1番"},
        ["E-KOSEKI-UNKNOWN"],
        ["koseki"],
    ),
}


@pytest.mark.parametrize("changes", MISMATCHES.values(), ids=MISMATCHES.keys())
async def test_a_notice_that_disagrees_with_the_koseki_is_a_permanent_mismatch_with_its_code(
    client: httpx.AsyncClient, changes: tuple[dict[str, Any], list[str], list[str]]
) -> None:
    items, codes, differing = changes
    await seed(client)
    before = await fuhyo(client)
    payload = notice(notice_body(**items))
    key = "2b8e6a3c-5d4f-4e1a-9b7c-8d6e5f4a3b2c"

    response = await send(client, payload, key=key)
    replay = await send(client, payload, key=key)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["mismatches"]) == (codes[0], codes)
    assert (problem["receipt_no"], problem["replayed"]) == ("FH-000001", False)
    assert replay.status_code == 422
    assert replay.json() == {**problem, "replayed": True}
    assert await fuhyo(client) == before  # a mismatch changes nothing
    [collation] = await feed(client)  # the 戸籍 side tells the 住所地 (住基法19条2項)
    assert collation["type"] == "collation_notice"
    assert collation["body"]["differing_items"] == differing
    assert collation["body"]["receipt_no"] == "FH-000001"
    for value in items.values():  # the problem names items, never values
        assert len(str(value)) < 2 or str(value) not in response.text


async def test_a_collation_notice_carries_what_the_koseki_states(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)

    await send(client, notice(notice_body(given_name="華子")))

    [collation] = await feed(client)
    assert collation["body"]["koseki_items"] == {
        "family_name": "新宿",
        "given_name": "花子",
        "birth_date": "19820202",
        "sex": "2",
    }
    assert collation["body"]["juminhyo_code"] == MOTHER


async def test_a_mismatch_clears_once_the_koseki_is_corrected_and_the_notice_resent(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    body = notice_body(given_name="華子")
    assert (await send(client, notice(body))).status_code == 422

    corrected = koseki()
    corrected["members"][1]["given_name"] = "華子"
    await seed(client, corrected)
    resent = await send(client, notice(body))  # the operator's resend: a new key

    assert resent.status_code == 201, resent.text
    assert (await fuhyo(client))[MOTHER]["address_since"] == "20261120"


async def test_a_person_without_a_code_on_the_fuhyo_is_found_by_name_and_birth_and_gets_it(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    body = notice_body(
        code=CHILD, given_name="一郎", birth_date="20120303", sex="1", change_reason="birth"
    )

    response = await send(client, notice(body))

    assert response.status_code == 201, response.text
    assert (await fuhyo(client))[CHILD]["given_name"] == "一郎"


async def test_a_move_abroad_is_written_with_its_country(client: httpx.AsyncClient) -> None:
    await seed(client)
    body = notice_body(
        code=FATHER,
        given_name="太郎",
        birth_date="19800101",
        sex="1",
        address=None,
        moved_abroad=True,
        abroad_country="アメリカ合衆国",
        address_since="20261201",
    )

    response = await send(client, notice(body))

    assert response.status_code == 201, response.text
    held = (await fuhyo(client))[FATHER]
    assert (held["moved_abroad"], held["abroad_country"], held["address"]) == (
        True,
        "アメリカ合衆国",
        None,
    )


async def test_a_correction_with_the_same_address_date_replaces_the_latest_line(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    await send(client, notice(notice_body()))

    await send(client, notice(notice_body(address="東京都新宿区新宿三丁目1番2号")))

    lines = (await fuhyo(client))[MOTHER]["addresses"]
    assert [line["address"] for line in lines] == [ADDRESS, "東京都新宿区新宿三丁目1番2号"]


BAD: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "bad date": ({"address_since": "2026-11-20"}, ("body", "body", "address_since")),
    "bad check digit": ({"juminhyo_code": "12345678901"}, ("body", "body", "juminhyo_code")),
    "sex": ({"sex": "male"}, ("body", "body", "sex")),
    "no honseki": ({"honseki": None}, ("body", "body", "honseki")),
    "unknown item": ({"my_number": "123456789018"}, ("body", "body", "my_number")),
    "address while abroad": ({"moved_abroad": True}, ("body", "body")),
    "no address": ({"address": None}, ("body", "body")),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
async def test_a_malformed_notice_is_an_e_format_refusal_naming_the_field(
    client: httpx.AsyncClient, case: tuple[dict[str, Any], tuple[str, ...]]
) -> None:
    changes, loc = case
    await seed(client)

    response = await send(client, notice(notice_body(**changes)))

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "E-FORMAT"
    assert loc in {tuple(e["loc"]) for e in response.json()["errors"]}
    assert (await client.get("/sim/received")).json() == {"items": []}


async def test_envelope_errors_and_another_wards_code_are_refused(
    client: httpx.AsyncClient,
) -> None:
    other_ward = notice(notice_body()) | {"municipality_code": "131016"}  # 千代田区
    no_key = await client.post("/koseki/v1/notices", json=notice(notice_body()))
    wrong = await send(client, other_ward)

    assert (no_key.status_code, no_key.json()["errors"][0]["loc"]) == (
        400,
        ["header", "Idempotency-Key"],
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["loc"] == ["body", "municipality_code"]


async def test_fuhyo_listing_pages_by_code_and_leaves_out_people_without_one(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)

    first = (await client.get("/koseki/v1/fuhyo", params={"limit": 1})).json()
    second = (await client.get("/koseki/v1/fuhyo", params={"after": first["next"]})).json()

    assert [i["juminhyo_code"] for i in first["items"]] == [FATHER]
    assert first["next"] == FATHER
    assert [i["juminhyo_code"] for i in second["items"]] == [MOTHER]
    assert second["next"] is None
    assert second["items"][0] | {"addresses": None} == {
        "juminhyo_code": MOTHER,
        "honseki": HONSEKI,
        "hittosha": "新宿 太郎",
        "family_name": "新宿",
        "given_name": "花子",
        "birth_date": "19820202",
        "sex": "2",
        "address": ADDRESS,
        "address_since": "20100401",
        "moved_abroad": False,
        "abroad_country": None,
        "addresses": None,
    }
