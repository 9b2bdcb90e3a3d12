"""異動履歴 on real PostgreSQL: 履歴番号, 基準日 and 処理時点 reads, households, 除票, 取消し."""

from __future__ import annotations

from typing import Any

import httpx

from .helpers import (
    OTHER_WARD_ADDRESS_TEXT,
    WARD_ADDRESS_TEXT,
    TokenFactory,
    auth,
    by_given_name,
    cancellation,
    death,
    enter_and_approve,
    family,
    is_problem,
    move_in,
    move_within_ward,
    person,
    row_counts,
    search,
    separation,
    submit,
    view,
)


async def _moved_in(
    client: httpx.AsyncClient, token: TokenFactory, *persons: Any
) -> dict[str, Any]:
    """Approve a 国内転入 on 2024-04-01 and return the records by 名, plus the change."""
    change = await enter_and_approve(client, token, move_in(*persons))
    return {"change": change, **await by_given_name(client, token, change)}


async def _record(
    client: httpx.AsyncClient, token: TokenFactory, atena_no: str, **params: Any
) -> Any:
    response = await view(client, token, f"/residents/{atena_no}", **params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_move_after_moving_in_numbers_history_1_then_2(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    atena_no = (await _moved_in(client, token, person()))["太郎"]["atena_no"]

    moved = await enter_and_approve(client, token, move_within_ward([atena_no]))

    history = (await view(client, token, f"/residents/{atena_no}/history")).json()
    assert [row["history_no"] for row in history] == [1, 2]
    assert [row["change_kind"] for row in history] == ["domestic_move_in", "move_within_ward"]
    assert history[1]["change_id"] == moved["change_id"]
    assert history[0]["record"]["address"] == WARD_ADDRESS_TEXT
    assert history[1]["record"]["address"] == OTHER_WARD_ADDRESS_TEXT
    assert history[1]["record"]["previous_address"] == history[0]["record"]["previous_address"]


async def test_a_record_as_of_a_date_shows_the_address_in_force_that_day(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    atena_no = (await _moved_in(client, token, person()))["太郎"]["atena_no"]
    await enter_and_approve(client, token, move_within_ward([atena_no], occurred_on="2025-01-10"))

    between = await _record(client, token, atena_no, on="2024-12-31")
    on_the_day = await _record(client, token, atena_no, on="2025-01-10")
    now = await _record(client, token, atena_no)
    before_moving_in = await view(client, token, f"/residents/{atena_no}", on="2024-03-31")

    assert (between["history_no"], between["record"]["address"]) == (1, WARD_ADDRESS_TEXT)
    assert (on_the_day["history_no"], on_the_day["record"]["address"]) == (
        2,
        OTHER_WARD_ADDRESS_TEXT,
    )
    assert now["record"]["address"] == OTHER_WARD_ADDRESS_TEXT
    assert is_problem(before_moving_in, 404)


async def test_a_move_to_another_flat_in_the_same_building_is_a_move(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    body = move_in(address="西新宿二丁目8番1号 新宿ハイツ101")
    atena_no = (await enter_and_approve(client, token, body))["subjects"][0]

    await enter_and_approve(
        client, token, move_within_ward([atena_no], address="西新宿2-8-1 新宿ハイツ202")
    )

    record = await _record(client, token, atena_no)
    assert record["history_no"] == 2
    assert record["record"]["address_katagaki"] == "新宿ハイツ202"


async def test_the_register_as_known_before_an_approval_does_not_show_it(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    moved_in = await _moved_in(client, token, person())
    atena_no = moved_in["太郎"]["atena_no"]
    known_before_move = moved_in["change"]["decided_at"]
    moved = await enter_and_approve(client, token, move_within_ward([atena_no]))

    as_known_then = await _record(
        client, token, atena_no, on="2025-06-01", known_at=known_before_move
    )
    as_known_now = await _record(
        client, token, atena_no, on="2025-06-01", known_at=moved["decided_at"]
    )

    assert (as_known_then["history_no"], as_known_then["record"]["address"]) == (
        1,
        WARD_ADDRESS_TEXT,
    )
    assert (as_known_now["history_no"], as_known_now["record"]["address"]) == (
        2,
        OTHER_WARD_ADDRESS_TEXT,
    )


async def test_a_household_as_of_a_date_shows_who_belonged_to_it_then(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    members = await _moved_in(client, token, *family())
    old_household = members["太郎"]["record"]["household_no"]
    son = members["一郎"]["atena_no"]

    await enter_and_approve(client, token, separation([son], son, occurred_on="2025-03-01"))

    before = (await view(client, token, f"/households/{old_household}", on="2025-02-28")).json()
    after = (await view(client, token, f"/households/{old_household}", on="2025-03-01")).json()
    son_now = await _record(client, token, son)
    new_household = son_now["record"]["household_no"]
    theirs = (await view(client, token, f"/households/{new_household}")).json()
    not_yet = await view(client, token, f"/households/{new_household}", on="2025-02-28")

    assert [m["record"]["given_name"] for m in before["members"]] == ["太郎", "花子", "一郎"]
    assert [m["record"]["given_name"] for m in after["members"]] == ["太郎", "花子"]
    assert after["members"][0]["record"]["is_head"] is True
    assert new_household != old_household
    assert [m["atena_no"] for m in theirs["members"]] == [son]
    assert son_now["record"]["relationship"] == "世帯主"
    assert son_now["record"]["address"] == WARD_ADDRESS_TEXT
    assert is_problem(not_yet, 404)


async def test_when_the_head_dies_the_one_remaining_member_becomes_head(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    couple = family()[:2]
    members = await _moved_in(client, token, *couple)
    head, wife = members["太郎"]["atena_no"], members["花子"]["atena_no"]

    change = await enter_and_approve(client, token, death(head))

    assert set(change["subjects"]) == {head, wife}
    deceased = await _record(client, token, head)
    survivor = await _record(client, token, wife)
    assert deceased["record"]["status"] == "removed"
    assert deceased["record"]["removal_kind"] == "death"
    assert deceased["record"]["removed_on"]["value"] == "2025-02-01"
    assert survivor["history_no"] == 2
    assert survivor["record"]["is_head"] is True
    assert survivor["record"]["relationship"] == "世帯主"
    assert survivor["ex_officio"] is True
    household = (
        await view(client, token, f"/households/{survivor['record']['household_no']}")
    ).json()
    assert [m["atena_no"] for m in household["members"]] == [wife]


async def test_removed_records_are_hidden_from_search_unless_asked_for(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    alone = (await _moved_in(client, token, person()))["太郎"]["atena_no"]
    await _moved_in(client, token, person("山田", "次郎", "ヤマダ", "ジロウ"))

    await enter_and_approve(client, token, death(alone))

    default = await search(client, token, kana="ヤマダ")
    everyone = await search(client, token, kana="ヤマダ", include_removed="true")
    assert [row["record"]["given_name"] for row in default["items"]] == ["次郎"]
    assert {row["record"]["given_name"] for row in everyone["items"]} == {"太郎", "次郎"}
    removed = next(row for row in everyone["items"] if row["atena_no"] == alone)
    assert removed["record"]["status"] == "removed"
    assert (await search(client, token, kana="ヤマダタロウ"))["items"] == []


async def test_cancelling_the_last_change_restores_the_previous_row_as_a_new_one(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    atena_no = (await _moved_in(client, token, person()))["太郎"]["atena_no"]
    moved = await enter_and_approve(client, token, move_within_ward([atena_no]))

    cancelled = await enter_and_approve(client, token, cancellation(moved["change_id"]))

    history = (await view(client, token, f"/residents/{atena_no}/history")).json()
    assert [row["history_no"] for row in history] == [1, 2, 3]
    restored = history[2]
    assert restored["change_kind"] == "cancellation"
    assert restored["change_id"] == cancelled["change_id"]
    assert restored["record"] == history[0]["record"]
    assert (await _record(client, token, atena_no))["record"]["address"] == WARD_ADDRESS_TEXT
    found = await search(client, token, address="西新宿二丁目")
    assert [row["atena_no"] for row in found["items"]] == [atena_no]
    assert (await search(client, token, address="大久保三丁目"))["items"] == []
    assert await row_counts(owner_connection) == (3, 3, 1)


async def test_after_a_cancellation_no_as_of_date_shows_the_cancelled_change(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    atena_no = (await _moved_in(client, token, person()))["太郎"]["atena_no"]
    moved = await enter_and_approve(
        client, token, move_within_ward([atena_no], occurred_on="2025-01-10")
    )

    await enter_and_approve(client, token, cancellation(moved["change_id"]))

    as_of = await _record(client, token, atena_no, on="2025-02-01")
    assert as_of["record"]["address"] == WARD_ADDRESS_TEXT


async def test_cancelling_a_move_in_voids_the_record(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    moved_in = await _moved_in(client, token, person())
    atena_no = moved_in["太郎"]["atena_no"]

    await enter_and_approve(client, token, cancellation(moved_in["change"]["change_id"]))

    assert is_problem(await view(client, token, f"/residents/{atena_no}"), 404)
    assert (await search(client, token, kana="ヤマダ", include_removed="true"))["items"] == []
    history = (await view(client, token, f"/residents/{atena_no}/history")).json()
    assert [(row["history_no"], row["record"]["status"]) for row in history] == [
        (1, "resident"),
        (2, "void"),
    ]


async def test_an_earlier_change_cannot_be_cancelled_past_a_later_one(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    moved_in = await _moved_in(client, token, person())
    atena_no = moved_in["太郎"]["atena_no"]
    await enter_and_approve(client, token, move_within_ward([atena_no]))
    before = await row_counts(owner_connection)

    response = await client.post(
        "/changes",
        json=cancellation(moved_in["change"]["change_id"]),
        headers=auth(token, "clerk01", "clerk"),
    )

    assert is_problem(response, 409)
    assert await row_counts(owner_connection) == before


async def test_a_pending_cancellation_leaves_the_record_as_it_is(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    atena_no = (await _moved_in(client, token, person()))["太郎"]["atena_no"]
    moved = await enter_and_approve(client, token, move_within_ward([atena_no]))

    await submit(client, token, cancellation(moved["change_id"]))

    current = await _record(client, token, atena_no)
    assert (current["history_no"], current["record"]["address"]) == (2, OTHER_WARD_ADDRESS_TEXT)
