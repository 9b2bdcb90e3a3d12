"""副本 operations: register / update / delete in the register's order, replays and key reuse."""

from __future__ import annotations

import httpx

from .builders import (
    FUGO,
    OTHER_FUGO,
    copies,
    head_items,
    member_items,
    operation,
    send,
    stored,
)

LATER = "2026-12-02T09:00:00+09:00"
EARLIER = "2026-11-30T09:00:00+09:00"


async def test_register_update_delete_keep_the_current_copy(client: httpx.AsyncClient) -> None:
    registered = await stored(client, operation("register", member_items()))
    head_now = head_items(change_reason="head_change", change_date="20261202")
    updated = await stored(client, operation("update", head_now, as_of=LATER))

    [copy] = await copies(client, fugo=FUGO)

    assert (registered["version"], updated["version"]) == (1, 2)
    assert (copy["version"], copy["deleted"], copy["items"]) == (2, False, head_now)
    deleted = await stored(client, operation("delete", None, as_of="2026-12-03T09:00:00+09:00"))
    [gone] = await copies(client)
    assert (deleted["version"], gone["deleted"], gone["items"]) == (3, True, None)
    again = await stored(
        client, operation("register", member_items(), as_of="2026-12-04T09:00:00+09:00")
    )
    assert again["version"] == 4  # a deleted 副本 can be registered again


async def test_a_removed_person_keeps_a_marked_copy(client: httpx.AsyncClient) -> None:
    await stored(client, operation("register", member_items()))
    died = member_items(record_status="removed", change_reason="death", change_date="20261205")

    await stored(client, operation("update", died, as_of=LATER))

    [copy] = await copies(client)
    assert (copy["deleted"], copy["items"]["record_status"]) == (False, "removed")


async def test_operations_that_do_not_fit_the_copy_are_refused_and_change_nothing(
    client: httpx.AsyncClient,
) -> None:
    update_first = await send(client, operation("update", member_items()))
    delete_first = await send(client, operation("delete", None))
    await stored(client, operation("register", member_items(), as_of=LATER))
    twice = await send(client, operation("register", member_items(), as_of=LATER))
    older = await send(client, operation("update", head_items(), as_of=EARLIER))

    assert [
        (r.status_code, r.json()["code"]) for r in (update_first, delete_first, twice, older)
    ] == [
        (409, "E-NOT-REGISTERED"),
        (409, "E-NOT-REGISTERED"),
        (409, "E-ALREADY-REGISTERED"),
        (409, "E-OUT-OF-ORDER"),
    ]
    [copy] = await copies(client)
    assert (copy["version"], copy["items"]) == (1, member_items())
    assert len((await client.get("/sim/received")).json()["items"]) == 1


async def test_a_resend_gets_the_stored_answer_and_another_body_is_refused(
    client: httpx.AsyncClient,
) -> None:
    key = "0b7d1c2e-3f4a-4b5c-9d6e-7f8091a2b3c4"
    payload = operation("register", member_items())
    first = await send(client, payload, key=key)

    again = await send(client, {**payload, "sent_at": "2026-12-01T10:09:00+09:00"}, key=key)
    other = await send(client, operation("register", head_items()), key=key)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    assert (other.status_code, other.json()["code"]) == (409, "E-KEY-REUSED")
    assert len(await copies(client)) == 1


async def test_copies_are_listed_in_pages_per_fugo_or_all(client: httpx.AsyncClient) -> None:
    await stored(client, operation("register", member_items()))
    await stored(client, operation("register", head_items(), fugo=OTHER_FUGO))

    first = (await client.get("/intermediate/v1/copies", params={"limit": 1})).json()
    second = (
        await client.get("/intermediate/v1/copies", params={"limit": 1, "after": first["next"]})
    ).json()
    end = (await client.get("/intermediate/v1/copies", params={"after": second["next"]})).json()

    assert [c["fugo"] for c in first["items"] + second["items"]] == [FUGO, OTHER_FUGO]
    assert end == {"items": [], "next": 2}
    assert [c["fugo"] for c in await copies(client, fugo=OTHER_FUGO)] == [OTHER_FUGO]


async def test_malformed_operations_are_refused_naming_fields_not_values(
    client: httpx.AsyncClient,
) -> None:
    no_relationship = member_items(relationship=None)
    head_with_name = head_items(head_name="佐藤 花子")
    bad_fugo = operation("register", member_items(), fugo="12345678901")
    delete_with_items = operation("delete", member_items())
    foreign = operation("register", member_items()) | {"municipality_code": "132012"}

    answers = [
        await send(client, operation("register", no_relationship)),
        await send(client, operation("register", head_with_name)),
        await send(client, bad_fugo),
        await send(client, delete_with_items),
        await send(client, foreign),
    ]

    assert {(r.status_code, r.json()["code"]) for r in answers} == {(400, "E-FORMAT")}
    locs = [[tuple(e["loc"]) for e in r.json()["errors"]] for r in answers]
    assert locs == [
        [("body", "body", "items")],
        [("body", "body", "items")],
        [("body", "body", "fugo")],
        [("body", "body")],
        [("body", "municipality_code")],
    ]
    assert "佐藤" not in answers[1].text
    assert "12345678901" not in answers[2].text
    assert await copies(client) == []
