"""アクセスログ (spec 10.2) on real PostgreSQL: what is logged, append-only, tamper detection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jumin_platform.devkeys import issue_token
from registry.config import Settings
from registry.entrypoints.api.app import create_app

from .audit_helpers import at_terminal, last_seq, register, rows_after, summary
from .helpers import (
    TokenFactory,
    auth,
    family,
    is_problem,
    move_in,
    move_within_ward,
    my_number,
    person,
)

REPO_ROOT = Path(__file__).resolve().parents[4]
COUNTER = "shinjuku-madoguchi-01"
BACK_OFFICE = "shinjuku-honcho-07"
MY_NUMBER = my_number("12345678901")


# ---- what is logged --------------------------------------------------------------------------


async def test_every_personal_data_call_is_logged_with_who_when_where_what_and_whom(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    start = await last_seq(owner_connection)
    before = datetime.now(UTC)
    clerk = at_terminal(token, "clerk01", "clerk", "shinjuku-honcho-03")
    reviewer = at_terminal(token, "reviewer01", "reviewer", BACK_OFFICE)
    viewer = at_terminal(token, "viewer01", "viewer", COUNTER)

    entered = await client.post("/changes", json=move_in(*family()), headers=clerk)
    assert entered.status_code == 201, entered.text
    assert entered.json()["subjects"] == []  # newcomers get their 宛名番号 on approval
    change_id = entered.json()["change_id"]
    approved = await client.post(f"/changes/{change_id}/approve", headers=reviewer)
    assert approved.status_code == 200, approved.text
    people = sorted(approved.json()["subjects"])
    assert len(people) == 3
    head = people[0]
    record = await client.get(f"/residents/{head}", headers=viewer)
    found = await client.get("/residents", params={"kana": "ヤマダ"}, headers=viewer)
    history = await client.get(f"/residents/{head}/history", headers=viewer)
    moved = await client.post("/changes", json=move_within_ward(people), headers=clerk)
    after = datetime.now(UTC)

    assert [r.status_code for r in (record, found, history, moved)] == [200, 200, 200, 201]
    returned = sorted(item["atena_no"] for item in found.json()["items"])
    assert returned == people
    rows = await rows_after(owner_connection, start)
    assert [summary(r) for r in rows] == [
        ("clerk01", "shinjuku-honcho-03", "submit_change", [], False, "ok", 201),
        ("reviewer01", BACK_OFFICE, "approve_change", people, False, "ok", 200),
        ("viewer01", COUNTER, "get_resident", [head], False, "ok", 200),
        ("viewer01", COUNTER, "search_residents", returned, False, "ok", 200),
        ("viewer01", COUNTER, "get_history", [head], False, "ok", 200),
        ("clerk01", "shinjuku-honcho-03", "submit_change", people, False, "ok", 201),
    ]
    assert all(before <= r["occurred_at"] <= after for r in rows)
    assert [r["seq"] for r in rows] == list(range(start + 1, start + 7))


async def test_an_auditor_finds_the_rows_by_person_and_by_operator(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    start = await last_seq(owner_connection)
    since = datetime.now(UTC) - timedelta(minutes=1)
    (atena,) = await register(client, token, person())
    await client.get(
        f"/residents/{atena}", headers=at_terminal(token, "viewer77", "viewer", COUNTER)
    )
    window = {
        "from": since.isoformat(),
        "to": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
    }
    auditor = auth(token, "auditor01", "auditor")

    about = await client.get(
        "/audit/access-log", params={**window, "atena_no": atena, "limit": 1000}, headers=auditor
    )
    by_viewer = await client.get(
        "/audit/access-log",
        params={**window, "operator": "viewer77", "limit": 1000},
        headers=auditor,
    )

    assert about.status_code == 200, about.text
    assert [(r["operator"], r["function"]) for r in about.json() if r["seq"] > start] == [
        ("reviewer01", "approve_change"),
        ("viewer77", "get_resident"),
    ]
    assert by_viewer.status_code == 200, by_viewer.text
    assert [
        (r["function"], r["subjects"], r["terminal"], r["outcome"])
        for r in by_viewer.json()
        if r["seq"] > start
    ] == [("get_resident", [atena], COUNTER, "ok")]


async def test_showing_or_searching_by_a_my_number_is_logged_as_my_number_access(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    clerk = at_terminal(token, "clerk01", "clerk", "shinjuku-honcho-03")
    entered = await client.post(
        "/changes", json=move_in(person(my_number=MY_NUMBER)), headers=clerk
    )
    assert entered.status_code == 201, entered.text
    approved = await client.post(
        f"/changes/{entered.json()['change_id']}/approve",
        headers=auth(token, "reviewer01", "reviewer"),
    )
    assert approved.status_code == 200, approved.text
    (atena,) = approved.json()["subjects"]
    start = await last_seq(owner_connection)
    reviewer = at_terminal(token, "reviewer02", "reviewer", BACK_OFFICE)
    viewer = at_terminal(token, "viewer01", "viewer", COUNTER)

    shown = await client.get(
        f"/residents/{atena}", params={"show_my_number": "true"}, headers=reviewer
    )
    plain = await client.get(f"/residents/{atena}", headers=reviewer)
    refused = await client.get(
        f"/residents/{atena}", params={"show_my_number": "true"}, headers=viewer
    )
    looked_up = await client.post(
        "/residents/search/by-my-number", json={"my_number": MY_NUMBER}, headers=reviewer
    )

    assert shown.status_code == 200, shown.text
    assert shown.json()["record"]["my_number"] == MY_NUMBER
    assert MY_NUMBER not in plain.text
    assert is_problem(refused, 403)
    assert MY_NUMBER not in refused.text
    assert [r["atena_no"] for r in looked_up.json()["items"]] == [atena]
    assert [summary(r) for r in await rows_after(owner_connection, start)] == [
        ("reviewer02", BACK_OFFICE, "get_resident", [atena], True, "ok", 200),
        ("reviewer02", BACK_OFFICE, "get_resident", [atena], False, "ok", 200),
        ("viewer01", COUNTER, "get_resident", [atena], False, "denied", 403),
        ("reviewer02", BACK_OFFICE, "search_residents_by_my_number", [atena], True, "ok", 200),
    ]


async def test_entering_a_my_number_is_logged_as_my_number_access(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    start = await last_seq(owner_connection)
    clerk = at_terminal(token, "clerk01", "clerk", "shinjuku-honcho-03")

    with_number = await client.post(
        "/changes", json=move_in(person(my_number=MY_NUMBER)), headers=clerk
    )
    without = await client.post(
        "/changes", json=move_in(person("佐藤", "一", "サトウ", "ハジメ")), headers=clerk
    )

    assert [with_number.status_code, without.status_code] == [201, 201]
    rows = await rows_after(owner_connection, start)
    assert [(r["function"], r["my_number_accessed"]) for r in rows] == [
        ("submit_change", True),
        ("submit_change", False),
    ]


async def test_failed_authentications_are_logged_without_an_operator(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any, settings: Settings
) -> None:
    (atena,) = await register(client, token, person())
    start = await last_seq(owner_connection)
    stranger_key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    forged = issue_token(
        private_key_pem=stranger_key.decode(),
        sub="viewer01",
        roles=["viewer"],
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    path = f"/residents/{atena}"

    garbage = await client.get(
        path, headers={"Authorization": "Bearer not-a-jwt", "X-Jumin-Terminal": COUNTER}
    )
    wrong_key = await client.get(
        path, headers={"Authorization": f"Bearer {forged}", "X-Jumin-Terminal": COUNTER}
    )
    missing = await client.get("/residents", params={"kana": "ヤマダ"})

    assert [r.status_code for r in (garbage, wrong_key, missing)] == [401, 401, 401]
    assert "山田" not in garbage.text + wrong_key.text + missing.text
    assert [summary(r) for r in await rows_after(owner_connection, start)] == [
        (None, COUNTER, "get_resident", [atena], False, "unauthenticated", 401),
        (None, COUNTER, "get_resident", [atena], False, "unauthenticated", 401),
        (None, None, "search_residents", [], False, "unauthenticated", 401),
    ]


async def test_a_call_refused_for_want_of_a_role_is_logged_as_denied(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    (atena,) = await register(client, token, person())
    start = await last_seq(owner_connection)

    as_auditor = await client.get(
        f"/residents/{atena}", headers=at_terminal(token, "auditor01", "auditor", BACK_OFFICE)
    )
    as_viewer = await client.post(
        "/changes", json=move_in(), headers=at_terminal(token, "viewer01", "viewer", COUNTER)
    )

    assert is_problem(as_auditor, 403)
    assert is_problem(as_viewer, 403)
    assert [summary(r) for r in await rows_after(owner_connection, start)] == [
        ("auditor01", BACK_OFFICE, "get_resident", [atena], False, "denied", 403),
        ("viewer01", COUNTER, "submit_change", [], False, "denied", 403),
    ]


async def test_people_withheld_by_a_support_measure_get_a_row_of_their_own(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    (atena,) = await register(client, token, person())
    officer = auth(token, "officer01", "support_officer")
    today = datetime.now(UTC).date().isoformat()
    measure = await client.post(
        "/support-measures", json={"atena_no": atena, "starts_on": today}, headers=officer
    )
    assert measure.status_code == 201, measure.text
    start = await last_seq(owner_connection)
    viewer = at_terminal(token, "viewer01", "viewer", COUNTER)

    try:
        viewed = await client.get(f"/residents/{atena}", headers=viewer)
        found = await client.get("/residents", params={"kana": "ヤマダ"}, headers=viewer)
        rows = await rows_after(owner_connection, start)
    finally:  # clean_db keeps support measures, and the next test reuses this 宛名番号
        ended = await client.post(
            f"/support-measures/{measure.json()['measure_id']}/end",
            json={"on": today, "reason": "テスト終了"},
            headers=officer,
        )
        assert ended.status_code == 200, ended.text

    assert is_problem(viewed, 403)
    assert found.json()["items"] == []
    assert [summary(r) for r in rows] == [
        ("viewer01", COUNTER, "get_resident", [], False, "denied", 403),
        (
            "viewer01",
            COUNTER,
            "get_resident:support_measure_block",
            [atena],
            False,
            "withheld",
            403,
        ),
        ("viewer01", COUNTER, "search_residents", [], False, "ok", 200),
        (
            "viewer01",
            COUNTER,
            "search_residents:support_measure_block",
            [atena],
            False,
            "withheld",
            200,
        ),
    ]


async def test_health_and_documentation_endpoints_are_not_logged(
    client: httpx.AsyncClient, owner_connection: Any
) -> None:
    start = await last_seq(owner_connection)

    for path in ("/healthz", "/readyz", "/openapi.json"):
        assert (await client.get(path)).status_code == 200

    assert await last_seq(owner_connection) == start


class _BrokenLog:
    async def append(self, connection: Any, entry: Any) -> int:
        raise ConnectionError("log volume full")


async def test_no_data_leaves_when_the_access_cannot_be_logged(
    settings: Settings, token: TokenFactory, clean_db: None
) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            (atena,) = await register(http, token, person())
            app.state.registry.access_log = _BrokenLog()

            response = await http.get(
                f"/residents/{atena}", headers=auth(token, "viewer01", "viewer")
            )

    assert is_problem(response, 503)
    assert "山田" not in response.text
    assert atena not in response.text
