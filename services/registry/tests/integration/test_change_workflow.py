"""仮登録 → 本登録 on real PostgreSQL: pending is invisible, maker ≠ checker, roles, listing."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest
from jumin_contracts.check_digits import is_valid_atena_no

from .helpers import (
    CLERK,
    OTHER_WARD_ADDRESS,
    REVIEWER,
    TERMINAL,
    WARD_ADDRESS_TEXT,
    TokenFactory,
    approve,
    auth,
    by_given_name,
    family,
    is_problem,
    move_in,
    move_within_ward,
    person,
    row_counts,
    search,
    submit,
    view,
)


async def test_a_family_moving_in_is_invisible_until_a_reviewer_approves_it(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    response = await client.post(
        "/changes", json=move_in(*family()), headers=auth(token, CLERK, "clerk")
    )

    assert response.status_code == 201, response.text
    pending = response.json()
    assert pending["status"] == "pending"
    assert pending["created_by"] == CLERK
    assert pending["decided_by"] is None
    assert (await search(client, token, kana="ヤマダ"))["items"] == []
    assert (await search(client, token, address="西新宿"))["items"] == []
    assert await owner_connection.fetchval("SELECT count(*) FROM registry.resident_history") == 0

    approved = await approve(client, token, pending["change_id"])

    assert approved["status"] == "approved"
    assert approved["decided_by"] == REVIEWER
    members = await by_given_name(client, token, approved)
    assert set(members) == {"太郎", "花子", "一郎"}
    found = await search(client, token, kana="ヤマダ")
    assert {row["atena_no"] for row in found["items"]} == set(approved["subjects"])
    household_nos = {row["record"]["household_no"] for row in members.values()}
    assert len(household_nos) == 1
    assert is_valid_atena_no(household_nos.pop())
    for row in members.values():
        assert is_valid_atena_no(row["atena_no"])
        assert row["history_no"] == 1
        assert row["change_kind"] == "domestic_move_in"
        assert row["record"]["address"] == WARD_ADDRESS_TEXT
    assert members["太郎"]["record"]["is_head"] is True
    assert members["花子"]["record"]["relationship"] == "妻"


async def test_the_terminal_is_recorded_with_the_change(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    """The 端末名 is kept with the change (a change without one is refused: test_terminal.py)."""
    with_terminal = await submit(client, token, move_in())

    assert with_terminal["terminal"] == TERMINAL


async def test_a_pending_move_changes_no_record_read(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    approved = await approve(client, token, (await submit(client, token, move_in()))["change_id"])
    atena_no = approved["subjects"][0]

    await submit(client, token, move_within_ward([atena_no]))

    record = (await view(client, token, f"/residents/{atena_no}")).json()
    assert record["history_no"] == 1
    assert record["record"]["address"] == WARD_ADDRESS_TEXT
    assert (await search(client, token, address=OTHER_WARD_ADDRESS[:3]))["items"] == []
    history = (await view(client, token, f"/residents/{atena_no}/history")).json()
    assert [row["history_no"] for row in history] == [1]


async def test_the_clerk_cannot_approve_their_own_change(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    change = await submit(client, token, move_in())

    response = await client.post(
        f"/changes/{change['change_id']}/approve",
        headers=auth(token, CLERK, "clerk", "reviewer"),
    )

    assert is_problem(response, 403)
    still = await client.get(
        f"/changes/{change['change_id']}", headers=auth(token, REVIEWER, "reviewer")
    )
    assert still.json()["status"] == "pending"
    assert await row_counts(owner_connection) == (1, 0, 0)


async def test_the_database_itself_refuses_self_approval(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    change = await submit(client, token, move_in())

    with pytest.raises(asyncpg.exceptions.CheckViolationError):
        await owner_connection.execute(
            """
            UPDATE registry.changes
               SET status = 'approved', decided_by = created_by, decided_at = now()
             WHERE change_id = $1
            """,
            change["change_id"],
        )

    status = await owner_connection.fetchval(
        "SELECT status FROM registry.changes WHERE change_id = $1", change["change_id"]
    )
    assert status == "pending"


async def test_approving_twice_is_a_conflict_and_writes_nothing(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    change = await submit(client, token, move_in(*family()))
    await approve(client, token, change["change_id"])
    before = await row_counts(owner_connection)

    response = await client.post(
        f"/changes/{change['change_id']}/approve", headers=auth(token, "reviewer02", "reviewer")
    )

    assert is_problem(response, 409)
    assert await row_counts(owner_connection) == before == (1, 3, 3)
    decided = await client.get(
        f"/changes/{change['change_id']}", headers=auth(token, REVIEWER, "reviewer")
    )
    assert decided.json()["decided_by"] == REVIEWER


async def test_approving_an_unknown_change_is_not_found(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    response = await client.post(
        f"/changes/{uuid4()}/approve", headers=auth(token, REVIEWER, "reviewer")
    )

    assert is_problem(response, 404)


async def test_a_viewer_cannot_enter_changes(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    response = await client.post(
        "/changes", json=move_in(), headers=auth(token, "viewer01", "viewer")
    )

    assert is_problem(response, 403)
    assert await row_counts(owner_connection) == (0, 0, 0)


async def test_a_clerk_cannot_approve_anyones_change(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    change = await submit(client, token, move_in())

    response = await client.post(
        f"/changes/{change['change_id']}/approve", headers=auth(token, "clerk02", "clerk")
    )

    assert is_problem(response, 403)
    assert await row_counts(owner_connection) == (1, 0, 0)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/changes"), ("GET", "/changes"), ("GET", "/residents?kana=ヤマダ")],
)
async def test_no_token_is_refused_with_a_bearer_challenge(
    client: httpx.AsyncClient, owner_connection: Any, method: str, path: str
) -> None:
    response = await client.request(method, path, json=move_in() if method == "POST" else None)

    assert is_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert await row_counts(owner_connection) == (0, 0, 0)


async def test_a_forged_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/changes", json=move_in(), headers={"Authorization": "Bearer not.a.jwt"}
    )

    assert is_problem(response, 401)
    assert "invalid_token" in response.headers["www-authenticate"]


async def test_the_pending_list_shows_exactly_the_changes_awaiting_a_decision(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    decided = await submit(client, token, move_in(person("佐藤", "一", "サトウ", "ハジメ")))
    await approve(client, token, decided["change_id"])
    first = await submit(client, token, move_in(person("鈴木", "二郎", "スズキ", "ジロウ")))
    second = await submit(client, token, move_in(person("高橋", "三郎", "タカハシ", "サブロウ")))

    response = await client.get(
        "/changes", params={"status": "pending"}, headers=auth(token, REVIEWER, "reviewer")
    )

    assert response.status_code == 200, response.text
    page = response.json()
    assert [c["change_id"] for c in page["items"]] == [first["change_id"], second["change_id"]]
    assert all(c["status"] == "pending" for c in page["items"])
    assert page["has_more"] is False
    approved = await client.get(
        "/changes", params={"status": "approved"}, headers=auth(token, REVIEWER, "reviewer")
    )
    assert [c["change_id"] for c in approved.json()["items"]] == [decided["change_id"]]
