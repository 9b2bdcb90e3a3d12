"""Maker-checker on real PostgreSQL (spec 4.0.8): list, correct, withdraw, reject, batch approve.

Entered changes stay 仮登録 — corrected or withdrawn only by their maker, decided only by someone
else — and no read of the register shows them until a reviewer approves them. The database keeps
the two rules that matter most (approver ≠ maker, only the maker withdraws) even without the API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from registry.config import Settings
from registry.entrypoints.api.app import create_app

from .helpers import (
    CLERK,
    OTHER_WARD_ADDRESS,
    REVIEWER,
    TERMINAL,
    WARD_ADDRESS_TEXT,
    Body,
    TokenFactory,
    approve,
    auth,
    by_given_name,
    death,
    enter_and_approve,
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

pytestmark = pytest.mark.integration

BRANCH = "shinjuku-branch-01"
CLERK2 = "clerk02"
TAKADANOBABA = "高田馬場一丁目1番1号"
TAKADANOBABA_TEXT = "東京都新宿区高田馬場一丁目1番1号"
OTHER_WARD_ADDRESS_TEXT = "東京都新宿区" + OTHER_WARD_ADDRESS
REASON = {"reason": "届出人の申出による"}


async def enter(
    client: httpx.AsyncClient,
    token: TokenFactory,
    body: Body,
    *,
    by: str = CLERK,
    terminal: str = TERMINAL,
    roles: tuple[str, ...] = ("clerk",),
) -> Body:
    """Enter a change as a given clerk at a given terminal (仮登録)."""
    headers = {**auth(token, by, *roles), "X-Jumin-Terminal": terminal}
    response = await client.post("/changes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    change: Body = response.json()
    return change


async def pending_ids(client: httpx.AsyncClient, token: TokenFactory, **params: str) -> list[str]:
    """List the ids of changes matching filters, as a reviewer."""
    response = await client.get(
        "/changes", params=params, headers=auth(token, REVIEWER, "reviewer")
    )
    assert response.status_code == 200, response.text
    return [c["change_id"] for c in response.json()["items"]]


async def change_of(client: httpx.AsyncClient, token: TokenFactory, change_id: str) -> Body:
    """Read one change as a reviewer."""
    response = await client.get(f"/changes/{change_id}", headers=auth(token, REVIEWER, "reviewer"))
    assert response.status_code == 200, response.text
    change: Body = response.json()
    return change


@pytest.fixture
async def yamada(client: httpx.AsyncClient, token: TokenFactory) -> dict[str, Any]:
    """An approved family of three at WARD_ADDRESS; records by 名 plus the household number."""
    change = await enter_and_approve(client, token, move_in(*family()))
    members = await by_given_name(client, token, change)
    return {
        "taro": members["太郎"]["atena_no"],
        "hanako": members["花子"]["atena_no"],
        "ichiro": members["一郎"]["atena_no"],
        "household_no": members["太郎"]["record"]["household_no"],
    }


async def assert_register_unchanged(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, Any]
) -> None:
    """Every read — record, history, as-of, household, search — shows the family as moved in."""
    taro = yamada["taro"]
    record = await view(client, token, f"/residents/{taro}")
    assert record.status_code == 200, record.text
    assert (record.json()["history_no"], record.json()["record"]["address"]) == (
        1,
        WARD_ADDRESS_TEXT,
    )
    history = (await view(client, token, f"/residents/{taro}/history")).json()
    assert [row["history_no"] for row in history] == [1]
    as_of = await view(
        client,
        token,
        f"/residents/{taro}",
        on="2025-06-01",
        known_at=datetime.now(UTC).isoformat(),
    )
    assert (as_of.json()["history_no"], as_of.json()["record"]["address"]) == (
        1,
        WARD_ADDRESS_TEXT,
    )
    household = (await view(client, token, f"/households/{yamada['household_no']}")).json()
    assert {m["atena_no"] for m in household["members"]} == {
        yamada["taro"],
        yamada["hanako"],
        yamada["ichiro"],
    }
    assert {m["record"]["address"] for m in household["members"]} == {WARD_ADDRESS_TEXT}
    assert (await search(client, token, address="大久保"))["items"] == []
    assert (await search(client, token, address="高田馬場"))["items"] == []
    found = await search(client, token, kana="ヤマダ")
    assert {r["record"]["address"] for r in found["items"]} == {WARD_ADDRESS_TEXT}
    assert len(found["items"]) == 3


# ---- 仮登録一覧 --------------------------------------------------------------------------------


async def test_pending_changes_are_listed_all_by_terminal_by_person_and_by_maker(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, Any]
) -> None:
    move = await enter(
        client, token, move_within_ward([yamada["ichiro"]], new_head=yamada["ichiro"])
    )
    newcomer = await enter(
        client,
        token,
        move_in(person("鈴木", "二郎", "スズキ", "ジロウ")),
        by=CLERK2,
        terminal=BRANCH,
    )
    died = await enter(client, token, death(yamada["hanako"]), terminal=BRANCH)

    everything = await pending_ids(client, token, status="pending")
    at_branch = await pending_ids(client, token, status="pending", terminal=BRANCH)
    at_counter = await pending_ids(client, token, status="pending", terminal=TERMINAL)
    of_taro = await pending_ids(client, token, status="pending", atena_no=yamada["taro"])
    of_hanako = await pending_ids(client, token, status="pending", atena_no=yamada["hanako"])
    of_ichiro = await pending_ids(client, token, status="pending", atena_no=yamada["ichiro"])
    by_clerk = await pending_ids(client, token, status="pending", created_by=CLERK)
    by_clerk2 = await pending_ids(client, token, status="pending", created_by=CLERK2)
    clerk_at_branch = await pending_ids(
        client, token, status="pending", created_by=CLERK, terminal=BRANCH
    )

    ids = [c["change_id"] for c in (move, newcomer, died)]
    assert everything == ids  # oldest first; the approved 転入 is not pending
    assert at_branch == [newcomer["change_id"], died["change_id"]]
    assert at_counter == [move["change_id"]]
    assert of_taro == []
    assert of_hanako == [died["change_id"]]
    assert of_ichiro == [move["change_id"]]
    assert by_clerk == [move["change_id"], died["change_id"]]
    assert by_clerk2 == [newcomer["change_id"]]
    assert clerk_at_branch == [died["change_id"]]
    assert len(await pending_ids(client, token)) == 4  # without a status: the approved one too


async def test_a_clerk_may_list_pending_changes_but_a_viewer_may_not(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    await submit(client, token, move_in())

    by_clerk = await client.get(
        "/changes", params={"status": "pending"}, headers=auth(token, CLERK2, "clerk")
    )
    by_viewer = await client.get(
        "/changes", params={"status": "pending"}, headers=auth(token, "viewer01", "viewer")
    )

    assert by_clerk.status_code == 200, by_clerk.text
    assert len(by_clerk.json()["items"]) == 1
    assert is_problem(by_viewer, 403)


# ---- 仮登録の修正 ------------------------------------------------------------------------------


async def test_the_maker_corrects_a_pending_change_which_stays_pending_and_invisible(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, Any], owner_connection: Any
) -> None:
    whole = [yamada["taro"], yamada["hanako"], yamada["ichiro"]]
    entered = await submit(client, token, move_within_ward(whole))
    before = await row_counts(owner_connection)

    response = await client.put(
        f"/changes/{entered['change_id']}",
        json=move_within_ward(whole, address=TAKADANOBABA, occurred_on="2025-01-11"),
        headers=auth(token, CLERK, "clerk"),
    )

    assert response.status_code == 200, response.text
    corrected = response.json()
    assert corrected["status"] == "pending"
    assert corrected["revision"] == 2
    assert corrected["request"]["address"] == TAKADANOBABA
    assert corrected["request"]["occurred_on"] == "2025-01-11"
    assert (corrected["created_by"], corrected["decided_by"]) == (CLERK, None)
    stored = await owner_connection.fetchrow(
        "SELECT status, revision, occurred_on, request->>'address' AS address"
        " FROM registry.changes WHERE change_id = $1",
        entered["change_id"],
    )
    assert dict(stored) == {
        "status": "pending",
        "revision": 2,
        "occurred_on": "2025-01-11",
        "address": TAKADANOBABA,
    }
    assert await row_counts(owner_connection) == before
    await assert_register_unchanged(client, token, yamada)
    assert (await change_of(client, token, entered["change_id"]))["revision"] == 2

    approved = await approve(client, token, entered["change_id"])

    assert approved["revision"] == 2
    record = (await view(client, token, f"/residents/{yamada['taro']}")).json()
    assert (record["history_no"], record["record"]["address"]) == (2, TAKADANOBABA_TEXT)
    assert record["occurred_on"]["value"] == "2025-01-11"


async def test_a_correction_is_checked_like_a_new_entry(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, Any], owner_connection: Any
) -> None:
    entered = await submit(
        client, token, move_within_ward([yamada["ichiro"]], new_head=yamada["ichiro"])
    )

    response = await client.put(
        f"/changes/{entered['change_id']}",
        json=move_within_ward(
            [yamada["ichiro"]], new_head=yamada["ichiro"], address="存在しない町1番"
        ),
        headers=auth(token, CLERK, "clerk"),
    )

    assert response.status_code == 422, response.text
    stored = await owner_connection.fetchrow(
        "SELECT revision, request->>'address' AS address FROM registry.changes"
        " WHERE change_id = $1",
        entered["change_id"],
    )
    assert dict(stored) == {"revision": 1, "address": OTHER_WARD_ADDRESS}


async def test_another_clerk_can_neither_correct_nor_withdraw_the_change(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, Any], owner_connection: Any
) -> None:
    whole = [yamada["taro"], yamada["hanako"], yamada["ichiro"]]
    entered = await submit(client, token, move_within_ward(whole))
    someone_else = auth(token, CLERK2, "clerk")

    corrected = await client.put(
        f"/changes/{entered['change_id']}",
        json=move_within_ward(whole, address=TAKADANOBABA),
        headers=someone_else,
    )
    withdrawn = await client.post(
        f"/changes/{entered['change_id']}/withdraw", json=REASON, headers=someone_else
    )
    by_reviewer = await client.post(
        f"/changes/{entered['change_id']}/withdraw",
        json=REASON,
        headers=auth(token, REVIEWER, "reviewer"),
    )

    assert is_problem(corrected, 403)
    assert "入力した職員" in corrected.json()["detail"]
    assert is_problem(withdrawn, 403)
    assert is_problem(by_reviewer, 403)  # the reviewer has no clerk role at all
    unchanged = await change_of(client, token, entered["change_id"])
    assert (unchanged["status"], unchanged["revision"]) == ("pending", 1)
    assert unchanged["request"]["address"] == OTHER_WARD_ADDRESS
    assert unchanged["withdrawn_by"] is None


# ---- 取下げ ------------------------------------------------------------------------------------


async def test_the_maker_withdraws_a_change_which_never_becomes_history(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, Any], owner_connection: Any
) -> None:
    whole = [yamada["taro"], yamada["hanako"], yamada["ichiro"]]
    entered = await submit(client, token, move_within_ward(whole))
    before = await row_counts(owner_connection)

    response = await client.post(
        f"/changes/{entered['change_id']}/withdraw",
        json=REASON,
        headers=auth(token, CLERK, "clerk"),
    )

    assert response.status_code == 200, response.text
    withdrawn = response.json()
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["withdrawn_by"] == CLERK
    assert withdrawn["withdrawn_at"] is not None
    assert withdrawn["decision_reason"] == REASON["reason"]
    assert (withdrawn["decided_by"], withdrawn["decided_at"]) == (None, None)

    approval = await client.post(
        f"/changes/{entered['change_id']}/approve", headers=auth(token, REVIEWER, "reviewer")
    )
    rejection = await client.post(
        f"/changes/{entered['change_id']}/reject",
        json=REASON,
        headers=auth(token, REVIEWER, "reviewer"),
    )
    correction = await client.put(
        f"/changes/{entered['change_id']}",
        json=move_within_ward(whole, address=TAKADANOBABA),
        headers=auth(token, CLERK, "clerk"),
    )
    again = await client.post(
        f"/changes/{entered['change_id']}/withdraw",
        json=REASON,
        headers=auth(token, CLERK, "clerk"),
    )

    assert is_problem(approval, 409)
    assert is_problem(rejection, 409)
    assert is_problem(correction, 409)
    assert is_problem(again, 409)
    assert await row_counts(owner_connection) == before
    assert (
        await owner_connection.fetchval(
            "SELECT count(*) FROM registry.resident_history WHERE change_id = $1",
            entered["change_id"],
        )
        == 0
    )
    assert (await change_of(client, token, entered["change_id"]))["status"] == "withdrawn"
    assert await pending_ids(client, token, status="pending") == []
    assert await pending_ids(client, token, status="withdrawn") == [entered["change_id"]]
    await assert_register_unchanged(client, token, yamada)


async def test_a_withdrawal_needs_a_reason(client: httpx.AsyncClient, token: TokenFactory) -> None:
    entered = await submit(client, token, move_in())

    response = await client.post(
        f"/changes/{entered['change_id']}/withdraw", json={}, headers=auth(token, CLERK, "clerk")
    )

    assert is_problem(response, 422)
    assert (await change_of(client, token, entered["change_id"]))["status"] == "pending"


# ---- 却下 --------------------------------------------------------------------------------------


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


# ---- the database keeps the rules without the API ------------------------------------------------


async def test_the_database_refuses_approval_or_rejection_by_the_maker(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    entered = await submit(client, token, move_in())

    for status, reason in (("approved", None), ("rejected", "自己却下")):
        with pytest.raises(asyncpg.exceptions.CheckViolationError) as caught:
            await owner_connection.execute(
                """
                UPDATE registry.changes
                   SET status = $2, decided_by = created_by, decided_at = now(),
                       decision_reason = $3
                 WHERE change_id = $1
                """,
                entered["change_id"],
                status,
                reason,
            )
        assert caught.value.constraint_name == "changes_maker_is_not_checker"

    assert (
        await owner_connection.fetchval(
            "SELECT status FROM registry.changes WHERE change_id = $1", entered["change_id"]
        )
        == "pending"
    )


async def test_the_database_refuses_a_withdrawal_by_anyone_but_the_maker(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    entered = await submit(client, token, move_in())

    with pytest.raises(asyncpg.exceptions.CheckViolationError) as caught:
        await owner_connection.execute(
            """
            UPDATE registry.changes
               SET status = 'withdrawn', withdrawn_by = $2, withdrawn_at = now(),
                   decision_reason = '取下げ'
             WHERE change_id = $1
            """,
            entered["change_id"],
            CLERK2,
        )

    assert caught.value.constraint_name == "changes_withdrawn_by_maker"
    await owner_connection.execute(
        """
        UPDATE registry.changes
           SET status = 'withdrawn', withdrawn_by = created_by, withdrawn_at = now()
         WHERE change_id = $1
        """,
        entered["change_id"],
    )
    assert (
        await owner_connection.fetchval(
            "SELECT status FROM registry.changes WHERE change_id = $1", entered["change_id"]
        )
        == "withdrawn"
    )


async def test_the_database_refuses_a_rejection_without_a_reason(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    entered = await submit(client, token, move_in())

    with pytest.raises(asyncpg.exceptions.CheckViolationError) as caught:
        await owner_connection.execute(
            """
            UPDATE registry.changes
               SET status = 'rejected', decided_by = 'reviewer01', decided_at = now()
             WHERE change_id = $1
            """,
            entered["change_id"],
        )

    assert caught.value.constraint_name == "changes_rejection_has_reason"
