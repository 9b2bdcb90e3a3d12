"""Searching by 個人番号 on real PostgreSQL: only reviewers, through the keyed hash, by POST (never
in a URL), paged like the search, malformed numbers refused, every search logged (番号法, spec 10.2).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from registry.bootstrap import Registry

from ..helpers import (
    REVIEWER,
    TokenFactory,
    auth,
    is_problem,
)
from .couple import (
    BY_NUMBER,
    HANAKO_NUMBER,
    OTHER_VALID_NUMBER,
    TARO_NUMBER,
    assert_no_plain_number,
    last_seq,
    log_since,
)


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
