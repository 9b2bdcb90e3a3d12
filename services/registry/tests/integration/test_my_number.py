"""個人番号 on real PostgreSQL: sealed at rest, hidden by default, shown and searched only by roles
allowed to, every such access logged (番号法, spec 10.2 個人番号へのアクセス有無).
"""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import httpx
import pytest
from jumin_platform.my_number_vault import VaultError, is_sealed
from registry.bootstrap import Registry

from .helpers import (
    CLERK,
    REVIEWER,
    Body,
    TokenFactory,
    approve,
    auth,
    enter_and_approve,
    is_problem,
    move_in,
    person,
    submit,
)

TARO_NUMBER = "621498320257"
HANAKO_NUMBER = "983205673214"
OTHER_VALID_NUMBER = "123456789018"
TWELVE_DIGITS = re.compile(r"[0-9]{12}")
MASK = "************"
BY_NUMBER = "/residents/search/by-my-number"


def couple() -> Body:
    """A 国内転入 of a couple, each with a 個人番号."""
    return move_in(
        person(my_number=TARO_NUMBER),
        person(
            "山田",
            "花子",
            "ヤマダ",
            "ハナコ",
            relationship="妻",
            birth_date="1982-07-10",
            sex="female",
            my_number=HANAKO_NUMBER,
        ),
    )


async def last_seq(connection: asyncpg.Connection[Any]) -> int:
    """Return the newest access-log sequence number (the log is shared and append-only)."""
    return int(await connection.fetchval("SELECT coalesce(max(seq), 0) FROM registry.access_log"))


async def log_since(connection: asyncpg.Connection[Any], seq: int) -> list[dict[str, Any]]:
    """Return the access-log rows written after `seq`, oldest first."""
    records = await connection.fetch(
        "SELECT operator, function, subjects, my_number_accessed, outcome"
        " FROM registry.access_log WHERE seq > $1 ORDER BY seq",
        seq,
    )
    return [{**dict(r), "subjects": list(r["subjects"])} for r in records]


def assert_no_plain_number(text: str) -> None:
    """Neither number, nor any 12-digit run, appears in the text."""
    assert TARO_NUMBER not in text
    assert HANAKO_NUMBER not in text
    assert not TWELVE_DIGITS.search(text), text


@pytest.fixture
async def couple_on_register(client: httpx.AsyncClient, token: TokenFactory) -> dict[str, Any]:
    """Approve the couple's 転入; return 宛名番号 by 名 and the change."""
    change = await enter_and_approve(client, token, couple())
    numbers: dict[str, Any] = {"change": change}
    for atena_no in change["subjects"]:
        response = await client.get(
            f"/residents/{atena_no}", headers=auth(token, "viewer01", "viewer")
        )
        numbers[response.json()["record"]["given_name"]] = atena_no
    return numbers


async def test_the_number_is_sealed_in_history_and_in_the_stored_request(
    couple_on_register: dict[str, Any], owner_connection: Any
) -> None:
    history = await owner_connection.fetch(
        "SELECT atena_no, my_number, my_number_hash FROM registry.resident_history"
    )
    changes = await owner_connection.fetch("SELECT request::text AS request FROM registry.changes")
    everything = await owner_connection.fetchval(
        """
        SELECT string_agg(t::text, ' ') FROM (
            SELECT h::text AS t FROM registry.resident_history h
            UNION ALL SELECT c::text FROM registry.changes c
            UNION ALL SELECT r::text FROM registry.resident_current r
        ) rows
        """
    )

    assert len(history) == 2
    for row in history:
        assert row["my_number"].startswith("mn1:")
        assert is_sealed(row["my_number"])
        assert_no_plain_number(row["my_number"])
        assert re.fullmatch(r"[0-9a-f]{64}", row["my_number_hash"])
    assert len({row["my_number"] for row in history}) == 2
    assert len(changes) == 1
    assert changes[0]["request"].count('"mn1:') == 2
    assert_no_plain_number(changes[0]["request"])
    assert TARO_NUMBER not in everything
    assert HANAKO_NUMBER not in everything


async def test_a_pending_change_and_its_correction_keep_the_number_sealed(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    entered = await submit(client, token, move_in(person(my_number=TARO_NUMBER)))
    corrected = await client.put(
        f"/changes/{entered['change_id']}",
        json=move_in(person(my_number=OTHER_VALID_NUMBER)),
        headers=auth(token, CLERK, "clerk"),
    )

    assert corrected.status_code == 200, corrected.text
    stored = await owner_connection.fetchval(
        "SELECT request::text FROM registry.changes WHERE change_id = $1", entered["change_id"]
    )
    assert '"mn1:' in stored
    assert OTHER_VALID_NUMBER not in stored
    assert_no_plain_number(stored)
    assert entered["request"]["persons"][0]["my_number"] == MASK
    assert corrected.json()["request"]["persons"][0]["my_number"] == MASK
    assert OTHER_VALID_NUMBER not in corrected.text

    await approve(client, token, entered["change_id"])

    found = await client.post(
        BY_NUMBER,
        json={"my_number": OTHER_VALID_NUMBER},
        headers=auth(token, REVIEWER, "reviewer"),
    )
    assert [r["atena_no"] for r in found.json()["items"]] == (
        await client.get(
            f"/changes/{entered['change_id']}", headers=auth(token, REVIEWER, "reviewer")
        )
    ).json()["subjects"]


async def test_records_show_only_that_a_number_is_recorded(
    client: httpx.AsyncClient, token: TokenFactory, couple_on_register: dict[str, Any]
) -> None:
    taro = couple_on_register["太郎"]
    for roles in (("viewer",), ("clerk",), ("reviewer",)):
        headers = auth(token, "staff01", *roles)
        record = await client.get(f"/residents/{taro}", headers=headers)
        history = await client.get(f"/residents/{taro}/history", headers=headers)
        found = await client.get("/residents", params={"kana": "ヤマダ"}, headers=headers)
        household = await client.get(
            f"/households/{record.json()['record']['household_no']}", headers=headers
        )

        assert record.status_code == 200, record.text
        assert record.json()["record"]["my_number"] is None
        assert record.json()["record"]["my_number_recorded"] is True
        assert "my_number_hash" not in record.json()["record"]
        for response in (record, history, found, household):
            assert response.status_code == 200, response.text
            assert_no_plain_number(response.text)
            assert "mn1:" not in response.text


async def test_a_reviewer_sees_the_number_on_request_and_the_access_is_logged(
    client: httpx.AsyncClient,
    token: TokenFactory,
    couple_on_register: dict[str, Any],
    owner_connection: Any,
) -> None:
    taro, hanako = couple_on_register["太郎"], couple_on_register["花子"]
    since = await last_seq(owner_connection)
    reviewer = auth(token, REVIEWER, "reviewer")

    shown = await client.get(
        f"/residents/{taro}", params={"show_my_number": "true"}, headers=reviewer
    )
    shown_wife = await client.get(
        f"/residents/{hanako}", params={"show_my_number": "true"}, headers=reviewer
    )
    plain = await client.get(f"/residents/{taro}", headers=reviewer)

    assert shown.status_code == 200, shown.text
    assert shown.json()["record"]["my_number"] == TARO_NUMBER
    assert shown_wife.json()["record"]["my_number"] == HANAKO_NUMBER
    assert plain.json()["record"]["my_number"] is None
    assert await log_since(owner_connection, since) == [
        {
            "operator": REVIEWER,
            "function": "get_resident",
            "subjects": [taro],
            "my_number_accessed": True,
            "outcome": "ok",
        },
        {
            "operator": REVIEWER,
            "function": "get_resident",
            "subjects": [hanako],
            "my_number_accessed": True,
            "outcome": "ok",
        },
        {
            "operator": REVIEWER,
            "function": "get_resident",
            "subjects": [taro],
            "my_number_accessed": False,
            "outcome": "ok",
        },
    ]


@pytest.mark.parametrize("roles", [("viewer",), ("clerk",), ("auditor", "viewer")])
async def test_other_roles_asking_to_see_the_number_are_refused(
    client: httpx.AsyncClient,
    token: TokenFactory,
    couple_on_register: dict[str, Any],
    owner_connection: Any,
    roles: tuple[str, ...],
) -> None:
    taro = couple_on_register["太郎"]
    since = await last_seq(owner_connection)

    response = await client.get(
        f"/residents/{taro}",
        params={"show_my_number": "true"},
        headers=auth(token, "staff01", *roles),
    )

    assert is_problem(response, 403)
    assert_no_plain_number(response.text)
    assert "mn1:" not in response.text
    rows = await log_since(owner_connection, since)
    assert [(r["function"], r["my_number_accessed"], r["outcome"]) for r in rows] == [
        ("get_resident", False, "denied")
    ]


async def test_a_reviewer_finds_a_person_by_number_through_the_keyed_hash(
    client: httpx.AsyncClient,
    token: TokenFactory,
    couple_on_register: dict[str, Any],
    owner_connection: Any,
    registry: Registry,
) -> None:
    reviewer = auth(token, REVIEWER, "reviewer")
    since = await last_seq(owner_connection)

    found = await client.post(BY_NUMBER, json={"my_number": HANAKO_NUMBER}, headers=reviewer)
    missing = await client.post(BY_NUMBER, json={"my_number": OTHER_VALID_NUMBER}, headers=reviewer)

    assert found.status_code == 200, found.text
    assert [r["atena_no"] for r in found.json()["items"]] == [couple_on_register["花子"]]
    assert found.json()["items"][0]["record"]["my_number"] is None
    assert (found.json()["limit"], found.json()["offset"], found.json()["has_more"]) == (
        20,
        0,
        False,
    )
    assert missing.status_code == 200, missing.text
    assert missing.json()["items"] == []
    rows = await log_since(owner_connection, since)
    assert [(r["function"], r["my_number_accessed"], r["subjects"]) for r in rows] == [
        ("search_residents_by_my_number", True, [couple_on_register["花子"]]),
        ("search_residents_by_my_number", True, []),
    ]
    indexed = await owner_connection.fetchval(
        "SELECT my_number_hash FROM registry.resident_current WHERE atena_no = $1",
        couple_on_register["花子"],
    )
    assert indexed == registry.vault.lookup_hash(HANAKO_NUMBER)


async def test_the_number_search_pages_like_the_search(
    client: httpx.AsyncClient, token: TokenFactory, couple_on_register: dict[str, Any]
) -> None:
    reviewer = auth(token, REVIEWER, "reviewer")
    body = {"my_number": TARO_NUMBER}

    first = await client.post(BY_NUMBER, params={"limit": 1}, json=body, headers=reviewer)
    past = await client.post(BY_NUMBER, params={"offset": 1}, json=body, headers=reviewer)
    too_many = await client.post(BY_NUMBER, params={"limit": 101}, json=body, headers=reviewer)

    assert first.status_code == 200, first.text
    assert first.json() == {
        "items": [first.json()["items"][0]],
        "limit": 1,
        "offset": 0,
        "has_more": False,
    }
    assert first.json()["items"][0]["atena_no"] == couple_on_register["太郎"]
    assert past.json()["items"] == []
    assert is_problem(too_many, 422)


@pytest.mark.parametrize("roles", [("viewer",), ("clerk",)])
async def test_other_roles_cannot_search_by_number(
    client: httpx.AsyncClient,
    token: TokenFactory,
    couple_on_register: dict[str, Any],
    owner_connection: Any,
    roles: tuple[str, ...],
) -> None:
    since = await last_seq(owner_connection)

    response = await client.post(
        BY_NUMBER, json={"my_number": TARO_NUMBER}, headers=auth(token, "staff01", *roles)
    )

    assert is_problem(response, 403)
    assert "ヤマダ" not in response.text
    assert [
        (r["function"], r["subjects"], r["my_number_accessed"], r["outcome"])
        for r in await log_since(owner_connection, since)
    ] == [("search_residents_by_my_number", [], False, "denied")]


BAD_BODIES = {
    "bad check digit": {"my_number": TARO_NUMBER[:-1] + str((int(TARO_NUMBER[-1]) + 1) % 10)},
    "eleven digits": {"my_number": TARO_NUMBER[:-1]},
    "not digits": {"my_number": "６２１４９８３２０２５７"},
    "a number, not a string": {"my_number": int(TARO_NUMBER)},
    "no number": {},
    "another filter beside it": {"my_number": TARO_NUMBER, "kana": "ヤマダ"},
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
async def test_a_malformed_number_is_refused_and_finds_nobody(
    client: httpx.AsyncClient,
    token: TokenFactory,
    couple_on_register: dict[str, Any],
    owner_connection: Any,
    body: dict[str, Any],
) -> None:
    since = await last_seq(owner_connection)

    response = await client.post(BY_NUMBER, json=body, headers=auth(token, REVIEWER, "reviewer"))

    assert is_problem(response, 422), response.text
    assert response.json()["errors"][0]["loc"][0] == "body"
    assert_no_plain_number(response.text)
    assert TARO_NUMBER[:-1] not in response.text
    assert "ヤマダ" not in response.text
    assert [
        (r["function"], r["subjects"], r["my_number_accessed"], r["outcome"])
        for r in await log_since(owner_connection, since)
    ] == [("search_residents_by_my_number", [], False, "refused")]


async def test_the_check_digit_error_names_the_field(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    response = await client.post(
        BY_NUMBER, json=BAD_BODIES["bad check digit"], headers=auth(token, REVIEWER, "reviewer")
    )

    assert is_problem(response, 422), response.text
    (error,) = response.json()["errors"]
    assert error["loc"] == ["body", "my_number"]
    assert "検査用数字" in error["msg"]


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "/residents", {"my_number": TARO_NUMBER}),
        ("GET", "/residents", {"kana": "ヤマダ", "my_number": TARO_NUMBER}),
        ("GET", "/residents", {"kana": "ヤマダ", "my_number": ""}),
        ("POST", BY_NUMBER, {"my_number": TARO_NUMBER}),
    ],
    ids=["alone", "beside another filter", "empty", "in the POST's URL"],
)
async def test_a_number_in_the_url_is_refused_pointing_to_the_post(
    client: httpx.AsyncClient,
    token: TokenFactory,
    couple_on_register: dict[str, Any],
    owner_connection: Any,
    method: str,
    path: str,
    params: dict[str, str],
) -> None:
    since = await last_seq(owner_connection)

    response = await client.request(
        method,
        path,
        params=params,
        json={"my_number": TARO_NUMBER} if method == "POST" else None,
        headers=auth(token, REVIEWER, "reviewer"),
    )

    assert is_problem(response, 400), response.text
    assert f"POST {BY_NUMBER}" in response.json()["detail"]
    assert_no_plain_number(response.text)
    assert "ヤマダ" not in response.text
    assert [
        (r["subjects"], r["my_number_accessed"], r["outcome"])
        for r in await log_since(owner_connection, since)
    ] == [([], False, "refused")]


async def test_the_openapi_offers_no_number_in_any_url(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    in_urls = [
        (path, method, parameter["name"])
        for path, operations in paths.items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "my_number"
    ]
    assert in_urls == []
    body = paths[BY_NUMBER]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/MyNumberSearch"}


async def test_a_change_shows_the_number_masked_pending_and_approved(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    entered = await submit(client, token, couple())
    reviewer = auth(token, REVIEWER, "reviewer")

    pending = await client.get(f"/changes/{entered['change_id']}", headers=reviewer)
    listed = await client.get("/changes", params={"status": "pending"}, headers=reviewer)
    approved = await approve(client, token, entered["change_id"])
    after = await client.get(
        f"/changes/{entered['change_id']}", headers=auth(token, CLERK, "clerk")
    )

    for change in (entered, pending.json(), listed.json()["items"][0], approved, after.json()):
        assert [p["my_number"] for p in change["request"]["persons"]] == [MASK, MASK]
    for response in (pending, listed, after):
        assert_no_plain_number(response.text)
        assert "mn1:" not in response.text


async def test_a_sealed_number_copied_to_another_person_does_not_open(
    couple_on_register: dict[str, Any], owner_connection: Any, registry: Registry
) -> None:
    taro, hanako = couple_on_register["太郎"], couple_on_register["花子"]
    sealed = await owner_connection.fetchval(
        "SELECT my_number FROM registry.resident_history WHERE atena_no = $1", taro
    )

    assert registry.vault.open(sealed, atena_no=taro) == TARO_NUMBER
    with pytest.raises(VaultError):
        registry.vault.open(sealed, atena_no=hanako)
    middle = len(sealed) // 2  # inside the ciphertext: every bit of this character counts
    tampered = sealed[:middle] + ("B" if sealed[middle] == "A" else "A") + sealed[middle + 1 :]
    with pytest.raises(VaultError):
        registry.vault.open(tampered, atena_no=taro)
