"""異動の取消し checks what depends on it, on real PostgreSQL through the API (spec 4.6).

A later change made on top of the cancelled one either blocks the 取消し (409, the dependents
listed by id and kind) or is cancelled with it when the clerk lists it in ``also_cancel``: one
change, reviewed once, applied in one transaction.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .helpers import (
    CLERK,
    TokenFactory,
    auth,
    by_given_name,
    cancellation,
    enter_and_approve,
    family,
    is_problem,
    juminhyo_code,
    move_in,
    move_within_ward,
    person,
    row_counts,
    separation,
    view,
)


@pytest.fixture(autouse=True)
async def free_codes(owner_connection: Any) -> None:
    """Stock the pool of 住民票コード CS supplies: a 出生 draws one (an empty pool refuses it)."""
    await owner_connection.executemany(
        "INSERT INTO registry.juminhyo_code_pool (code, received_at) VALUES ($1, now())"
        " ON CONFLICT DO NOTHING",
        [(juminhyo_code(f"8{n:09d}"),) for n in range(20)],
    )


async def _family(client: httpx.AsyncClient, token: TokenFactory) -> tuple[Any, dict[str, Any]]:
    change = await enter_and_approve(client, token, move_in(*family()))
    return change, await by_given_name(client, token, change)


def _birth(household_no: str) -> dict[str, Any]:
    baby = person("山田", "二郎", "ヤマダ", "ジロウ", relationship="子", birth_date="2025-03-01")
    return {
        "kind": "birth",
        "occurred_on": "2025-03-01",
        "notified_on": "2025-03-05",
        "persons": [baby],
        "join_household_no": household_no,
    }


async def _enter(client: httpx.AsyncClient, token: TokenFactory, body: Any) -> httpx.Response:
    return await client.post("/changes", json=body, headers=auth(token, CLERK, "clerk"))


def _listed(response: httpx.Response) -> list[tuple[str, str]]:
    return [(c["change_id"], c["kind"]) for c in response.json()["dependent_changes"]]


async def test_a_move_in_with_a_birth_since_is_refused_listing_the_birth(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    moved_in, people = await _family(client, token)
    birth = await enter_and_approve(client, token, _birth(people["太郎"]["record"]["household_no"]))
    before = await row_counts(owner_connection)

    response = await _enter(client, token, cancellation(moved_in["change_id"]))

    assert is_problem(response, 409)
    assert _listed(response) == [(birth["change_id"], "birth")]
    assert "山田" not in response.text
    assert "二郎" not in response.text
    assert await row_counts(owner_connection) == before


async def test_listing_the_birth_cancels_both_in_one_reviewed_change(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    moved_in, people = await _family(client, token)
    household_no = people["太郎"]["record"]["household_no"]
    birth = await enter_and_approve(client, token, _birth(household_no))
    baby = (await by_given_name(client, token, birth))["二郎"]["atena_no"]
    changes_before = (await row_counts(owner_connection))[0]

    body = cancellation(moved_in["change_id"]) | {"also_cancel": [birth["change_id"]]}
    cancelled = await enter_and_approve(client, token, body)

    assert (await row_counts(owner_connection))[0] == changes_before + 1  # one change
    for atena_no in [baby, *(p["atena_no"] for p in people.values())]:
        assert is_problem(await view(client, token, f"/residents/{atena_no}"), 404)
        history = (await view(client, token, f"/residents/{atena_no}/history")).json()
        assert (history[-1]["change_id"], history[-1]["record"]["status"]) == (
            cancelled["change_id"],
            "void",
        )
    assert is_problem(await view(client, token, f"/households/{household_no}"), 404)


async def test_a_later_move_of_an_entered_person_is_listed(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    moved_in, people = await _family(client, token)
    everyone = [p["atena_no"] for p in people.values()]
    moved = await enter_and_approve(client, token, move_within_ward(everyone))

    response = await _enter(client, token, cancellation(moved_in["change_id"]))

    assert is_problem(response, 409)
    assert _listed(response) == [(moved["change_id"], "move_within_ward")]


async def test_a_head_change_after_a_separation_goes_with_it(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    _, people = await _family(client, token)
    taro, hanako, ichiro = (people[n]["atena_no"] for n in ("太郎", "花子", "一郎"))
    household_no = people["太郎"]["record"]["household_no"]
    separated = await enter_and_approve(client, token, separation([ichiro], ichiro))
    head_change = await enter_and_approve(
        client,
        token,
        {
            "kind": "head_change",
            "occurred_on": "2025-04-01",
            "notified_on": "2025-04-02",
            "household_no": household_no,
            "new_head": hanako,
            "relationships": {taro: "夫"},
        },
    )

    # 一郎 would come back as 子 of 太郎, who is no longer head
    refused = await _enter(client, token, cancellation(separated["change_id"]))
    assert is_problem(refused, 409)
    assert _listed(refused) == [(head_change["change_id"], "head_change")]

    body = cancellation(separated["change_id"]) | {"also_cancel": [head_change["change_id"]]}
    await enter_and_approve(client, token, body)

    household = (await view(client, token, f"/households/{household_no}")).json()
    members = {m["atena_no"]: m["record"]["relationship"] for m in household["members"]}
    assert members == {taro: "世帯主", hanako: "妻", ichiro: "子"}


async def test_also_cancel_naming_an_unrelated_change_is_refused(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    moved_in, _ = await _family(client, token)
    other = await enter_and_approve(
        client,
        token,
        move_in(person("佐藤", "健", "サトウ", "ケン"), address="大久保三丁目14番4号"),
    )
    before = await row_counts(owner_connection)

    body = cancellation(moved_in["change_id"]) | {"also_cancel": [other["change_id"]]}
    response = await _enter(client, token, body)

    assert is_problem(response, 409)
    assert "依存しない" in response.json()["detail"]
    assert await row_counts(owner_connection) == before


async def test_a_cancelled_change_cannot_be_cancelled_again(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    moved_in, _ = await _family(client, token)
    await enter_and_approve(client, token, cancellation(moved_in["change_id"]))

    response = await _enter(client, token, cancellation(moved_in["change_id"]))

    assert is_problem(response, 409)
    assert "既に取り消されています" in response.json()["detail"]
