"""Maker-checker on real PostgreSQL (spec 4.0.8): list, correct and withdraw pending changes.

Entered changes stay 仮登録 — corrected or withdrawn only by their maker, decided only by someone
else — and no read of the register shows them until a reviewer approves them. The database keeps
the two rules that matter most (approver ≠ maker, only the maker withdraws) even without the API.

Deciding them: test_maker_checker_decisions.py; the database's own checks:
test_maker_checker_database.py.
"""

from __future__ import annotations

from typing import Any

import httpx

from .helpers import (
    CLERK,
    OTHER_WARD_ADDRESS,
    REVIEWER,
    TERMINAL,
    TokenFactory,
    approve,
    auth,
    death,
    is_problem,
    move_in,
    move_within_ward,
    person,
    row_counts,
    submit,
    view,
)
from .maker_checker_helpers import (
    BRANCH,
    CLERK2,
    REASON,
    TAKADANOBABA,
    TAKADANOBABA_TEXT,
    assert_register_unchanged,
    change_of,
    enter,
    pending_ids,
)

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
