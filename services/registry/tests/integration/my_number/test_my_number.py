"""個人番号 on real PostgreSQL: sealed at rest, hidden by default, shown only to roles allowed to,
every such access logged (番号法, spec 10.2 個人番号へのアクセス有無). Searching by number:
test_my_number_search.py.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from jumin_platform.my_number_vault import VaultError, is_sealed
from registry.bootstrap import Registry

from ..helpers import (
    CLERK,
    REVIEWER,
    TokenFactory,
    approve,
    auth,
    is_problem,
    move_in,
    person,
    submit,
)
from .couple import (
    BY_NUMBER,
    HANAKO_NUMBER,
    MASK,
    OTHER_VALID_NUMBER,
    TARO_NUMBER,
    assert_no_plain_number,
    couple,
    last_seq,
    log_since,
)


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
