"""支援措置 on real PostgreSQL (spec 3.4): protected people vanish from staff reads, and it is logged.

Only the 支援措置責任者 (support_officer) sets, extends and ends measures and still sees the
people under them; everyone else finds them missing from searches and households and is refused
their record — each attempt leaves an access-log row (spec 10.2).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from registry.bootstrap import ward_now
from registry.domain.support_measures import one_year_from

from .helpers import (
    Body,
    TokenFactory,
    auth,
    by_given_name,
    enter_and_approve,
    family,
    is_problem,
    move_in,
    person,
)

OFFICER = ("support01", "support_officer", "viewer")  # the officer also reads the register
STAFF = {
    "viewer": ("viewer01", "viewer"),
    "clerk": ("clerk01", "clerk"),
    "reviewer": ("reviewer01", "reviewer"),
}
BLOCK = ":support_measure_block"


def today() -> date:
    """The service's 'today' (its clock: Asia/Tokyo, a day ahead of UTC from 15:00 UTC)."""
    return ward_now().date()


@pytest.fixture
async def yamada(client: httpx.AsyncClient, token: TokenFactory) -> dict[str, str]:
    """A family of three, and 山田太一 living alone elsewhere; 宛名番号 by 名 plus 世帯番号."""
    change = await enter_and_approve(client, token, move_in(*family()))
    members = await by_given_name(client, token, change)
    alone = await enter_and_approve(
        client,
        token,
        move_in(
            person("山田", "太一", "ヤマダ", "タイチ", birth_date="1975-11-03"),
            address="大久保三丁目14番4号",
        ),
    )
    return {
        "太郎": members["太郎"]["atena_no"],
        "花子": members["花子"]["atena_no"],
        "一郎": members["一郎"]["atena_no"],
        "太一": alone["subjects"][0],
        "household": members["太郎"]["record"]["household_no"],
    }


async def set_measure(
    client: httpx.AsyncClient, token: TokenFactory, atena_no: str, **fields: Any
) -> Body:
    """Set a 支援措置 as the support officer; fail unless it is set."""
    body = {"atena_no": atena_no, "starts_on": today().isoformat(), **fields}
    response = await client.post("/support-measures", json=body, headers=auth(token, *OFFICER))
    assert response.status_code == 201, response.text
    measure: Body = response.json()
    return measure


async def get(
    client: httpx.AsyncClient, token: TokenFactory, who: tuple[str, ...], path: str, **params: Any
) -> httpx.Response:
    """GET a read endpoint as some member of staff."""
    return await client.get(path, params=params, headers=auth(token, *who))


async def seen_in_search(
    client: httpx.AsyncClient, token: TokenFactory, who: tuple[str, ...]
) -> set[str]:
    """Return the 宛名番号 a search for ヤマダ shows this member of staff."""
    response = await get(client, token, who, "/residents", kana="ヤマダ")
    assert response.status_code == 200, response.text
    return {row["atena_no"] for row in response.json()["items"]}


async def last_seq(connection: asyncpg.Connection[Any]) -> int:
    """Return the newest access-log sequence number (the log is shared and append-only)."""
    return int(await connection.fetchval("SELECT coalesce(max(seq), 0) FROM registry.access_log"))


async def log_since(connection: asyncpg.Connection[Any], seq: int) -> list[dict[str, Any]]:
    """Return the access-log rows written after `seq`, oldest first."""
    records = await connection.fetch(
        "SELECT operator, function, subjects, outcome, status_code FROM registry.access_log"
        " WHERE seq > $1 ORDER BY seq",
        seq,
    )
    return [{**dict(r), "subjects": list(r["subjects"])} for r in records]


async def test_a_protected_person_vanishes_from_every_read_of_other_staff(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, str]
) -> None:
    hanako = yamada["花子"]
    everyone = {yamada[n] for n in ("太郎", "花子", "一郎", "太一")}
    assert await seen_in_search(client, token, STAFF["viewer"]) == everyone

    measure = await set_measure(client, token, hanako)

    assert measure["active"] is True
    assert measure["provisional"] is False
    assert measure["ends_on"] == one_year_from(today()).isoformat()
    for who in STAFF.values():
        assert await seen_in_search(client, token, who) == everyone - {hanako}
        record = await get(client, token, who, f"/residents/{hanako}")
        as_of = await get(client, token, who, f"/residents/{hanako}", on="2025-01-01")
        history = await get(client, token, who, f"/residents/{hanako}/history")
        for refused in (record, as_of, history):
            assert is_problem(refused, 403)
            assert "支援措置" in refused.json()["detail"]
            assert "ハナコ" not in refused.text
            assert "花子" not in refused.text
        household = await get(client, token, who, f"/households/{yamada['household']}")
        assert household.status_code == 200, household.text
        members = {m["atena_no"] for m in household.json()["members"]}
        assert members == {yamada["太郎"], yamada["一郎"]}
        by_name = await get(client, token, who, "/residents", name="花子")
        assert by_name.json()["items"] == []


async def test_each_withheld_or_refused_read_is_logged_naming_the_person(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, str], owner_connection: Any
) -> None:
    hanako = yamada["花子"]
    await set_measure(client, token, hanako)
    since = await last_seq(owner_connection)
    viewer = STAFF["viewer"]

    await seen_in_search(client, token, viewer)
    await get(client, token, viewer, f"/residents/{hanako}")
    await get(client, token, viewer, f"/residents/{hanako}/history")
    await get(client, token, viewer, f"/households/{yamada['household']}")

    rows = await log_since(owner_connection, since)
    blocks = [r for r in rows if r["function"].endswith(BLOCK)]
    assert [(r["function"], r["subjects"], r["outcome"]) for r in blocks] == [
        ("search_residents" + BLOCK, [hanako], "withheld"),
        ("get_resident" + BLOCK, [hanako], "withheld"),
        ("get_history" + BLOCK, [hanako], "withheld"),
        ("get_household" + BLOCK, [hanako], "withheld"),
    ]
    assert {r["operator"] for r in rows} == {"viewer01"}
    reads = [r for r in rows if not r["function"].endswith(BLOCK)]
    assert [(r["function"], r["outcome"], r["status_code"]) for r in reads] == [
        ("search_residents", "ok", 200),
        ("get_resident", "denied", 403),
        ("get_history", "denied", 403),
        ("get_household", "ok", 200),
    ]
    assert all(hanako not in r["subjects"] for r in reads)  # she was not shown
    assert yamada["太郎"] in reads[0]["subjects"]
    assert yamada["太郎"] in reads[3]["subjects"]


async def test_the_support_officer_still_sees_the_protected_person(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, str], owner_connection: Any
) -> None:
    hanako = yamada["花子"]
    await set_measure(client, token, hanako)
    since = await last_seq(owner_connection)

    found = await seen_in_search(client, token, OFFICER)
    record = await get(client, token, OFFICER, f"/residents/{hanako}")
    history = await get(client, token, OFFICER, f"/residents/{hanako}/history")
    household = await get(client, token, OFFICER, f"/households/{yamada['household']}")
    measures = await get(client, token, OFFICER, "/support-measures", atena_no=hanako)

    assert hanako in found
    assert record.status_code == 200, record.text
    assert record.json()["record"]["given_name"] == "花子"
    assert [r["history_no"] for r in history.json()] == [1]
    assert hanako in {m["atena_no"] for m in household.json()["members"]}
    assert [m["atena_no"] for m in measures.json()] == [hanako]
    rows = await log_since(owner_connection, since)
    assert not [r for r in rows if r["function"].endswith(BLOCK)]
    assert all(r["outcome"] == "ok" for r in rows)
    assert all(hanako in r["subjects"] for r in rows)


async def test_after_the_measure_ends_the_person_is_visible_again(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, str], owner_connection: Any
) -> None:
    hanako = yamada["花子"]
    measure = await set_measure(client, token, hanako)

    response = await client.post(
        f"/support-measures/{measure['measure_id']}/end",
        json={"on": today().isoformat(), "reason": "支援対象者からの終了の申出"},
        headers=auth(token, *OFFICER),
    )

    assert response.status_code == 200, response.text
    ended = response.json()
    assert (ended["active"], ended["ended_on"]) == (False, today().isoformat())
    assert ended["end_reason"] == "支援対象者からの終了の申出"
    since = await last_seq(owner_connection)
    viewer = STAFF["viewer"]
    assert hanako in await seen_in_search(client, token, viewer)
    record = await get(client, token, viewer, f"/residents/{hanako}")
    assert record.status_code == 200, record.text
    assert not [r for r in await log_since(owner_connection, since) if BLOCK in r["function"]]
    again = await client.post(
        f"/support-measures/{measure['measure_id']}/extend", headers=auth(token, *OFFICER)
    )
    assert is_problem(again, 409)


async def test_a_provisional_measure_blocks_too_and_can_be_confirmed(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, str]
) -> None:
    taichi = yamada["太一"]

    measure = await set_measure(client, token, taichi, provisional=True)

    assert (measure["provisional"], measure["active"]) == (True, True)
    assert taichi not in await seen_in_search(client, token, STAFF["clerk"])
    assert is_problem(await get(client, token, STAFF["clerk"], f"/residents/{taichi}"), 403)
    confirmed = await client.post(
        f"/support-measures/{measure['measure_id']}/confirm", headers=auth(token, *OFFICER)
    )
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["provisional"], confirmed.json()["active"]) == (False, True)
    assert is_problem(await get(client, token, STAFF["clerk"], f"/residents/{taichi}"), 403)


async def test_a_measure_blocks_only_within_its_period(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, str]
) -> None:
    day = timedelta(days=1)
    lapsed = await set_measure(
        client,
        token,
        yamada["太郎"],
        starts_on=(today() - 400 * day).isoformat(),
        ends_on=(today() - day).isoformat(),
    )
    future = await set_measure(client, token, yamada["一郎"], starts_on=(today() + day).isoformat())
    last_day = await set_measure(
        client,
        token,
        yamada["太一"],
        starts_on=(today() - 30 * day).isoformat(),
        ends_on=today().isoformat(),
    )

    assert (lapsed["active"], future["active"], last_day["active"]) == (False, False, True)
    assert last_day["ends_within_a_month"] is True
    seen = await seen_in_search(client, token, STAFF["viewer"])
    assert seen == {yamada["太郎"], yamada["花子"], yamada["一郎"]}


async def test_an_extension_is_accepted_only_in_the_last_month(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, str]
) -> None:
    ending = await set_measure(
        client,
        token,
        yamada["太郎"],
        starts_on=(today() - timedelta(days=350)).isoformat(),
        ends_on=(today() + timedelta(days=10)).isoformat(),
    )
    fresh = await set_measure(client, token, yamada["花子"])
    officer = auth(token, *OFFICER)

    extended = await client.post(
        f"/support-measures/{ending['measure_id']}/extend", headers=officer
    )
    too_early = await client.post(
        f"/support-measures/{fresh['measure_id']}/extend", headers=officer
    )

    assert ending["ends_within_a_month"] is True
    assert extended.status_code == 200, extended.text
    old_end = date.fromisoformat(ending["ends_on"])
    assert extended.json()["ends_on"] == one_year_from(old_end + timedelta(days=1)).isoformat()
    assert extended.json()["ends_within_a_month"] is False
    assert is_problem(too_early, 422)
    assert "1か月前から" in too_early.json()["detail"]
    listed = await client.get(
        "/support-measures", params={"atena_no": yamada["花子"]}, headers=officer
    )
    assert [m["ends_on"] for m in listed.json()] == [fresh["ends_on"]]


@pytest.mark.parametrize(
    "roles",
    [("clerk",), ("reviewer",), ("viewer",), ("admin",), ("auditor",), ("clerk", "reviewer")],
)
async def test_only_the_support_officer_sets_extends_ends_or_lists_measures(
    client: httpx.AsyncClient,
    token: TokenFactory,
    yamada: dict[str, str],
    owner_connection: Any,
    roles: tuple[str, ...],
) -> None:
    measure = await set_measure(client, token, yamada["太郎"])
    someone = auth(token, "staff99", *roles)
    path = f"/support-measures/{measure['measure_id']}"

    attempts = [
        await client.post(
            "/support-measures",
            json={"atena_no": yamada["花子"], "starts_on": today().isoformat()},
            headers=someone,
        ),
        await client.post(f"{path}/extend", headers=someone),
        await client.post(f"{path}/confirm", headers=someone),
        await client.post(
            f"{path}/end", json={"on": today().isoformat(), "reason": "申出"}, headers=someone
        ),
        await client.get("/support-measures", params={"atena_no": yamada["太郎"]}, headers=someone),
    ]

    assert all(is_problem(r, 403) for r in attempts), [r.status_code for r in attempts]
    stored = await owner_connection.fetch(
        "SELECT atena_no, ended_on, updated_by FROM registry.support_measures"
    )
    assert [dict(r) for r in stored] == [
        {"atena_no": yamada["太郎"], "ended_on": None, "updated_by": "support01"}
    ]


async def test_a_measure_for_an_unknown_person_or_measure_is_not_found(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    officer = auth(token, *OFFICER)
    unknown = "6f1c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f"

    nobody = await client.post(
        "/support-measures",
        json={"atena_no": "0000000019", "starts_on": today().isoformat()},
        headers=officer,
    )
    extend = await client.post(f"/support-measures/{unknown}/extend", headers=officer)
    end = await client.post(
        f"/support-measures/{unknown}/end",
        json={"on": today().isoformat(), "reason": "申出"},
        headers=officer,
    )

    assert is_problem(nobody, 404)
    assert is_problem(extend, 404)
    assert is_problem(end, 404)
    assert await owner_connection.fetchval("SELECT count(*) FROM registry.support_measures") == 0


async def test_a_measure_ending_before_it_starts_is_refused(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, str]
) -> None:
    response = await client.post(
        "/support-measures",
        json={
            "atena_no": yamada["太郎"],
            "starts_on": today().isoformat(),
            "ends_on": (today() - timedelta(days=1)).isoformat(),
        },
        headers=auth(token, *OFFICER),
    )

    assert is_problem(response, 422)
