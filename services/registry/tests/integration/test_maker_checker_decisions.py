"""Maker-checker on real PostgreSQL (spec 4.0.8): a reviewer rejects or batch-approves pending changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from registry.config import Settings
from registry.entrypoints.api.app import create_app

from .helpers import (
    CLERK,
    REVIEWER,
    TERMINAL,
    Body,
    TokenFactory,
    auth,
    death,
    enter_and_approve,
    is_problem,
    move_in,
    move_within_ward,
    person,
    row_counts,
    search,
    submit,
    view,
)
from .maker_checker_helpers import (
    BRANCH,
    CLERK2,
    REASON,
    assert_register_unchanged,
    change_of,
    enter,
    pending_ids,
)


async def test_a_reviewer_rejects_with_a_reason_and_nothing_is_written(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, Any], owner_connection: Any
) -> None:
    whole = [yamada["taro"], yamada["hanako"], yamada["ichiro"]]
    entered = await submit(client, token, move_within_ward(whole))
    before = await row_counts(owner_connection)
    reason = "転居届の住所が住民票と一致しません"

    response = await client.post(
        f"/changes/{entered['change_id']}/reject",
        json={"reason": reason},
        headers=auth(token, REVIEWER, "reviewer"),
    )

    assert response.status_code == 200, response.text
    rejected = response.json()
    assert rejected["status"] == "rejected"
    assert rejected["decided_by"] == REVIEWER
    assert rejected["decided_at"] is not None
    assert rejected["decision_reason"] == reason
    stored = await owner_connection.fetchrow(
        "SELECT status, decided_by, decision_reason FROM registry.changes WHERE change_id = $1",
        entered["change_id"],
    )
    assert dict(stored) == {"status": "rejected", "decided_by": REVIEWER, "decision_reason": reason}
    assert await row_counts(owner_connection) == before
    await assert_register_unchanged(client, token, yamada)
    seen_by_maker = await client.get(
        f"/changes/{entered['change_id']}", headers=auth(token, CLERK, "clerk")
    )
    assert seen_by_maker.json()["decision_reason"] == reason
    approval = await client.post(
        f"/changes/{entered['change_id']}/approve", headers=auth(token, "reviewer02", "reviewer")
    )
    assert is_problem(approval, 409)
    assert await row_counts(owner_connection) == before


@pytest.mark.parametrize("body", [{}, {"reason": ""}], ids=["missing", "empty"])
async def test_a_rejection_without_a_reason_is_refused(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any, body: Body
) -> None:
    entered = await submit(client, token, move_in())

    response = await client.post(
        f"/changes/{entered['change_id']}/reject",
        json=body,
        headers=auth(token, REVIEWER, "reviewer"),
    )

    assert is_problem(response, 422)
    stored = await owner_connection.fetchrow(
        "SELECT status, decided_by, decision_reason FROM registry.changes WHERE change_id = $1",
        entered["change_id"],
    )
    assert dict(stored) == {"status": "pending", "decided_by": None, "decision_reason": None}


async def test_the_maker_cannot_reject_their_own_change(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    entered = await enter(client, token, move_in(), by=REVIEWER, roles=("clerk", "reviewer"))

    response = await client.post(
        f"/changes/{entered['change_id']}/reject",
        json=REASON,
        headers=auth(token, REVIEWER, "clerk", "reviewer"),
    )

    assert is_problem(response, 403)
    assert (await change_of(client, token, entered["change_id"]))["status"] == "pending"


# ---- 一括決裁 ----------------------------------------------------------------------------------


def _outcomes(response: httpx.Response) -> dict[str, tuple[bool, int]]:
    assert response.status_code == 200, response.text
    return {o["change_id"]: (o["approved"], o["status"]) for o in response.json()}


async def test_batch_approval_by_ids_refuses_the_reviewers_own_change_and_approves_the_rest(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    first = await submit(client, token, move_in(person("佐藤", "一", "サトウ", "ハジメ")))
    own = await enter(
        client,
        token,
        move_in(person("鈴木", "二郎", "スズキ", "ジロウ")),
        by=REVIEWER,
        roles=("clerk", "reviewer"),
    )
    second = await enter(
        client, token, move_in(person("高橋", "三郎", "タカハシ", "サブロウ")), by=CLERK2
    )
    ids = [first["change_id"], own["change_id"], second["change_id"]]

    response = await client.post(
        "/changes/approve", json={"change_ids": ids}, headers=auth(token, REVIEWER, "reviewer")
    )

    outcomes = _outcomes(response)
    assert outcomes == {
        first["change_id"]: (True, 200),
        own["change_id"]: (False, 403),
        second["change_id"]: (True, 200),
    }
    refused = next(o for o in response.json() if o["change_id"] == own["change_id"])
    assert "自分の異動を決裁できません" in refused["detail"]
    assert await pending_ids(client, token, status="pending") == [own["change_id"]]
    assert {
        c["change_id"]: c["decided_by"]
        for c in [
            await change_of(client, token, i) for i in (first["change_id"], second["change_id"])
        ]
    } == {first["change_id"]: REVIEWER, second["change_id"]: REVIEWER}
    assert await row_counts(owner_connection) == (3, 2, 2)
    names = {
        r["record"]["family_name"]
        for r in (await search(client, token, birth_date="1980-05-01"))["items"]
    }
    assert names == {"佐藤", "高橋"}


async def test_batch_approval_reports_unknown_and_decided_changes_and_approves_the_rest(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    decided = await enter_and_approve(
        client, token, move_in(person("佐藤", "一", "サトウ", "ハジメ"))
    )
    waiting = await submit(client, token, move_in(person("鈴木", "二郎", "スズキ", "ジロウ")))
    unknown = "6f1c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f"

    response = await client.post(
        "/changes/approve",
        json={"change_ids": [decided["change_id"], unknown, waiting["change_id"]]},
        headers=auth(token, "reviewer02", "reviewer"),
    )

    assert _outcomes(response) == {
        decided["change_id"]: (False, 409),
        unknown: (False, 404),
        waiting["change_id"]: (True, 200),
    }


async def test_batch_approval_approves_changes_to_one_person_oldest_first(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, Any]
) -> None:
    whole = [yamada["taro"], yamada["hanako"], yamada["ichiro"]]
    moved = await submit(client, token, move_within_ward(whole, occurred_on="2025-01-10"))
    died = await submit(client, token, death(yamada["hanako"], occurred_on="2025-02-01"))

    response = await client.post(
        "/changes/approve",
        json={"change_ids": [died["change_id"], moved["change_id"]]},  # listed newest first
        headers=auth(token, REVIEWER, "reviewer"),
    )

    assert _outcomes(response) == {
        moved["change_id"]: (True, 200),
        died["change_id"]: (True, 200),
    }
    assert [o["change_id"] for o in response.json()] == [moved["change_id"], died["change_id"]]
    history = (await view(client, token, f"/residents/{yamada['hanako']}/history")).json()
    assert [r["change_kind"] for r in history] == ["domestic_move_in", "move_within_ward", "death"]


async def test_approving_all_of_one_terminal_leaves_the_other_terminals_pending(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    counter = [
        await submit(client, token, move_in(person("佐藤", "一", "サトウ", "ハジメ"))),
        await enter(client, token, move_in(person("鈴木", "二郎", "スズキ", "ジロウ")), by=CLERK2),
    ]
    branch = await enter(
        client, token, move_in(person("高橋", "三郎", "タカハシ", "サブロウ")), terminal=BRANCH
    )

    response = await client.post(
        "/changes/approve",
        json={"all": True, "terminal": TERMINAL},
        headers=auth(token, REVIEWER, "reviewer"),
    )

    assert _outcomes(response) == {c["change_id"]: (True, 200) for c in counter}
    assert await pending_ids(client, token, status="pending") == [branch["change_id"]]
    assert await pending_ids(client, token, status="approved") == [c["change_id"] for c in counter]


async def test_approving_all_by_one_maker_leaves_the_others_pending(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    mine = await submit(client, token, move_in(person("佐藤", "一", "サトウ", "ハジメ")))
    theirs = await enter(
        client, token, move_in(person("鈴木", "二郎", "スズキ", "ジロウ")), by=CLERK2
    )

    response = await client.post(
        "/changes/approve",
        json={"all": True, "created_by": CLERK2},
        headers=auth(token, REVIEWER, "reviewer"),
    )

    assert _outcomes(response) == {theirs["change_id"]: (True, 200)}
    assert await pending_ids(client, token, status="pending") == [mine["change_id"]]


@pytest.mark.parametrize(
    "body",
    [{}, {"all": False}, {"all": True, "change_ids": ["6f1c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f"]}],
    ids=["nothing", "all-false", "both"],
)
async def test_a_batch_names_either_ids_or_all(
    client: httpx.AsyncClient, token: TokenFactory, body: Body
) -> None:
    await submit(client, token, move_in())

    response = await client.post(
        "/changes/approve", json=body, headers=auth(token, REVIEWER, "reviewer")
    )

    assert is_problem(response, 422)
    assert len(await pending_ids(client, token, status="pending")) == 1


async def test_a_clerk_cannot_batch_approve(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    entered = await submit(client, token, move_in())

    response = await client.post(
        "/changes/approve",
        json={"change_ids": [entered["change_id"]]},
        headers=auth(token, CLERK2, "clerk"),
    )

    assert is_problem(response, 403)
    assert await row_counts(owner_connection) == (1, 0, 0)


@pytest.fixture
async def limited_client(settings: Settings, clean_db: None) -> AsyncIterator[httpx.AsyncClient]:
    """Serve the app with a 一括決裁 limit of two changes."""
    app = create_app(settings.model_copy(update={"approval_batch_limit": 2}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            yield http


async def test_a_batch_over_the_limit_is_refused_whole(
    limited_client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    client = limited_client
    entered = [
        await submit(client, token, move_in(person("佐藤", "一", "サトウ", "ハジメ"))),
        await submit(client, token, move_in(person("鈴木", "二郎", "スズキ", "ジロウ"))),
        await enter(
            client, token, move_in(person("高橋", "三郎", "タカハシ", "サブロウ")), terminal=BRANCH
        ),
    ]
    ids = [c["change_id"] for c in entered]
    reviewer = auth(token, REVIEWER, "reviewer")

    by_ids = await client.post("/changes/approve", json={"change_ids": ids}, headers=reviewer)
    every = await client.post("/changes/approve", json={"all": True}, headers=reviewer)
    duplicates = await client.post(
        "/changes/approve", json={"change_ids": [ids[0], ids[0]]}, headers=reviewer
    )

    assert is_problem(by_ids, 422)
    assert "2件まで" in by_ids.json()["detail"]
    assert is_problem(every, 422)
    assert "絞って" in every.json()["detail"]
    assert is_problem(duplicates, 422)
    assert await row_counts(owner_connection) == (3, 0, 0)
    assert await pending_ids(client, token, status="pending") == ids

    within = await client.post(
        "/changes/approve", json={"all": True, "terminal": TERMINAL}, headers=reviewer
    )

    assert _outcomes(within) == {i: (True, 200) for i in ids[:2]}
    assert await pending_ids(client, token, status="pending") == [ids[2]]
