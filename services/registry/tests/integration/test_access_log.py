"""アクセスログ (spec 10.2) on real PostgreSQL: what is logged, append-only, tamper detection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jumin_platform.devkeys import issue_token
from jumin_platform.testing.access_log_tamper import (
    CONTENT,
    AuditCli,
    Superuser,
    literal,
    reinsert,
)
from registry.bootstrap import ACCESS_LOG
from registry.config import Settings
from registry.entrypoints.api.app import create_app

from .audit_helpers import checkpoint_before, last_seq, rows_after, summary
from .helpers import (
    TokenFactory,
    auth,
    enter_and_approve,
    family,
    is_problem,
    move_in,
    move_within_ward,
    my_number,
    person,
)

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[4]
COUNTER = "shinjuku-madoguchi-01"
BACK_OFFICE = "shinjuku-honcho-07"
MY_NUMBER = my_number("12345678901")


def _headers(token: TokenFactory, sub: str, role: str, terminal: str) -> dict[str, str]:
    return {**auth(token, sub, role), "X-Jumin-Terminal": terminal}


async def _register(client: httpx.AsyncClient, token: TokenFactory, *people: Any) -> list[str]:
    change = await enter_and_approve(client, token, move_in(*people))
    return sorted(change["subjects"])


# ---- what is logged --------------------------------------------------------------------------


async def test_every_personal_data_call_is_logged_with_who_when_where_what_and_whom(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    start = await last_seq(owner_connection)
    before = datetime.now(UTC)
    clerk = _headers(token, "clerk01", "clerk", "shinjuku-honcho-03")
    reviewer = _headers(token, "reviewer01", "reviewer", BACK_OFFICE)
    viewer = _headers(token, "viewer01", "viewer", COUNTER)

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
    (atena,) = await _register(client, token, person())
    await client.get(f"/residents/{atena}", headers=_headers(token, "viewer77", "viewer", COUNTER))
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
    clerk = _headers(token, "clerk01", "clerk", "shinjuku-honcho-03")
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
    reviewer = _headers(token, "reviewer02", "reviewer", BACK_OFFICE)
    viewer = _headers(token, "viewer01", "viewer", COUNTER)

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
    clerk = _headers(token, "clerk01", "clerk", "shinjuku-honcho-03")

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
    (atena,) = await _register(client, token, person())
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
    (atena,) = await _register(client, token, person())
    start = await last_seq(owner_connection)

    as_auditor = await client.get(
        f"/residents/{atena}", headers=_headers(token, "auditor01", "auditor", BACK_OFFICE)
    )
    as_viewer = await client.post(
        "/changes", json=move_in(), headers=_headers(token, "viewer01", "viewer", COUNTER)
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
    (atena,) = await _register(client, token, person())
    officer = auth(token, "officer01", "support_officer")
    today = datetime.now(UTC).date().isoformat()
    measure = await client.post(
        "/support-measures", json={"atena_no": atena, "starts_on": today}, headers=officer
    )
    assert measure.status_code == 201, measure.text
    start = await last_seq(owner_connection)
    viewer = _headers(token, "viewer01", "viewer", COUNTER)

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
            (atena,) = await _register(http, token, person())
            app.state.registry.access_log = _BrokenLog()

            response = await http.get(
                f"/residents/{atena}", headers=auth(token, "viewer01", "viewer")
            )

    assert is_problem(response, 503)
    assert "山田" not in response.text
    assert atena not in response.text


# ---- append-only ----------------------------------------------------------------------------------


async def test_the_service_role_may_not_update_or_delete_log_rows(
    client: httpx.AsyncClient, settings: Settings, owner_connection: Any
) -> None:
    await client.get("/residents", params={"kana": "ア"})  # at least one row exists
    seq = await last_seq(owner_connection)
    service = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        for sql in (
            "UPDATE registry.access_log SET operator = 'intruder' WHERE seq = $1",
            "DELETE FROM registry.access_log WHERE seq = $1",
        ):
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
                await service.execute(sql, seq)
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            await service.execute("TRUNCATE registry.access_log")
    finally:
        await service.close()


async def test_even_the_schema_owner_cannot_update_delete_or_truncate_log_rows(
    client: httpx.AsyncClient, owner_connection: Any
) -> None:
    await client.get("/residents", params={"kana": "ア"})
    seq = await last_seq(owner_connection)
    before = await rows_after(owner_connection, seq - 1)

    for sql, args in (
        ("UPDATE registry.access_log SET operator = 'intruder' WHERE seq = $1", (seq,)),
        ("DELETE FROM registry.access_log WHERE seq = $1", (seq,)),
        ("TRUNCATE registry.access_log", ()),
    ):
        # in a transaction that is always rolled back, so a failing guard cannot harm the log
        transaction = owner_connection.transaction()
        await transaction.start()
        try:
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="append-only"):
                await owner_connection.execute(sql, *args)
        finally:
            await transaction.rollback()

    assert await rows_after(owner_connection, seq - 1) == before


# ---- tamper detection -------------------------------------------------------------------------

CLI = AuditCli("jumin", "registry.entrypoints.cli", cwd=REPO_ROOT)
_cli_verify = CLI.verify
_cli_checkpoint = CLI.checkpoint


@pytest.fixture
async def some_rows(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> AsyncIterator[list[dict[str, Any]]]:
    """Append a few rows (an intact chain before and after) and return them."""
    assert (await ACCESS_LOG.verify(owner_connection)).ok, "the chain was broken before the test"
    start = await last_seq(owner_connection)
    people = await _register(client, token, *family())
    viewer = _headers(token, "viewer01", "viewer", COUNTER)
    for atena in people:
        assert (await client.get(f"/residents/{atena}", headers=viewer)).status_code == 200
    rows = await rows_after(owner_connection, start)
    assert len(rows) >= 5
    yield rows
    assert (await ACCESS_LOG.verify(owner_connection)).ok, "the test left the chain broken"


@pytest.fixture
def auditor_headers(token: TokenFactory) -> dict[str, str]:
    """Return an auditor's Authorization header."""
    return auth(token, "auditor01", "auditor")


async def _endpoint_verdict(
    client: httpx.AsyncClient, headers: dict[str, str], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """Verify through the API from the checkpoint just before `rows` (taken before any tampering)."""
    params = {"after": checkpoint_before(rows[0])}
    response = await client.get("/audit/access-log/verify", params=params, headers=headers)
    assert response.status_code == 200, response.text
    verdict: dict[str, Any] = response.json()
    return verdict


async def _assert_intact(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    owner_connection: Any,
    originals: list[dict[str, Any]],
) -> None:
    restored = await rows_after(owner_connection, originals[0]["seq"] - 1)
    assert restored[: len(originals)] == originals
    verdict = _cli_verify()
    assert verdict.returncode == 0, verdict.stderr
    assert "intact" in verdict.stdout
    assert (await _endpoint_verdict(client, headers, originals))["ok"] is True


async def test_changing_a_rows_operator_is_detected_at_that_row(
    client: httpx.AsyncClient,
    owner_connection: Any,
    superuser: Superuser,
    some_rows: list[dict[str, Any]],
    auditor_headers: dict[str, str],
) -> None:
    target = some_rows[2]
    seq = target["seq"]

    superuser.run(f"UPDATE registry.access_log SET operator = 'someone_else' WHERE seq = {seq}")
    try:
        cli = _cli_verify()
        verdict = await _endpoint_verdict(client, auditor_headers, some_rows)
    finally:
        superuser.run(
            f"UPDATE registry.access_log SET operator = {literal(target['operator'])}"
            f" WHERE seq = {seq}"
        )

    assert cli.returncode == 1
    assert f"seq={seq}:" in cli.stderr
    assert "changed" in cli.stderr
    assert verdict["ok"] is False
    assert verdict["first_bad_seq"] == seq
    await _assert_intact(client, auditor_headers, owner_connection, some_rows)


async def test_deleting_a_row_is_detected_where_it_is_missing(
    client: httpx.AsyncClient,
    owner_connection: Any,
    superuser: Superuser,
    some_rows: list[dict[str, Any]],
    auditor_headers: dict[str, str],
) -> None:
    target = some_rows[2]
    seq = target["seq"]

    superuser.run(f"DELETE FROM registry.access_log WHERE seq = {seq}")
    try:
        cli = _cli_verify()
        verdict = await _endpoint_verdict(client, auditor_headers, some_rows)
    finally:
        superuser.run(reinsert("registry.access_log", [target]))

    assert cli.returncode == 1
    assert f"row {seq} is missing" in cli.stderr
    assert verdict["ok"] is False
    assert verdict["first_bad_seq"] == seq + 1  # the first row found out of place
    assert f"row {seq} is missing" in verdict["problem"]
    await _assert_intact(client, auditor_headers, owner_connection, some_rows)


async def test_swapping_two_rows_is_detected_at_the_first_of_them(
    client: httpx.AsyncClient,
    owner_connection: Any,
    superuser: Superuser,
    some_rows: list[dict[str, Any]],
    auditor_headers: dict[str, str],
) -> None:
    first, second = some_rows[1]["seq"], some_rows[2]["seq"]
    swap = (
        f"UPDATE registry.access_log AS a SET ({', '.join(CONTENT)})"
        f" = ({', '.join('b.' + c for c in CONTENT)})"
        f" FROM registry.access_log AS b"
        f" WHERE a.seq IN ({first}, {second}) AND b.seq = {first + second} - a.seq"
    )

    superuser.run(swap)
    try:
        swapped = await rows_after(owner_connection, first - 1)
        cli = _cli_verify()
        verdict = await _endpoint_verdict(client, auditor_headers, some_rows)
    finally:
        superuser.run(swap)  # swapping again restores the order

    assert swapped[0]["operator"] == some_rows[2]["operator"]
    assert swapped[0]["row_hash"] == some_rows[2]["row_hash"]
    assert cli.returncode == 1
    assert f"seq={first}:" in cli.stderr
    assert verdict["ok"] is False
    assert verdict["first_bad_seq"] == first
    await _assert_intact(client, auditor_headers, owner_connection, some_rows)


# ---- checkpoints: the tail the chain alone cannot vouch for ---------------------------------------


async def test_a_checkpoint_stays_valid_while_rows_are_appended(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    await client.get("/residents", params={"kana": "ア"})  # at least one row exists
    head = (await rows_after(owner_connection, await last_seq(owner_connection) - 1))[0]

    line = _cli_checkpoint()
    await _register(client, token, person())
    verified = _cli_verify("--expect", line)

    assert line == f"{head['seq']}:{head['row_hash'].hex()}"
    assert await last_seq(owner_connection) > head["seq"]
    assert verified.returncode == 0, verified.stderr
    assert "intact" in verified.stdout
    assert "1 checkpoint(s) met" in verified.stdout


async def test_a_truncated_tail_is_caught_only_against_a_checkpoint(
    client: httpx.AsyncClient,
    owner_connection: Any,
    superuser: Superuser,
    some_rows: list[dict[str, Any]],
    auditor_headers: dict[str, str],
    tmp_path: Path,
) -> None:
    line = _cli_checkpoint()
    kept, removed = some_rows[:-2], some_rows[-2:]
    checkpoints = tmp_path / "checkpoints.txt"
    checkpoints.write_text(f"# auditor's log\n{line}\n")

    # no API call while the tail is gone: it would append a row where the removed ones belong
    superuser.run(f"DELETE FROM registry.access_log WHERE seq >= {removed[0]['seq']}")
    try:
        bare = _cli_verify()
        expected = _cli_verify("--expect", line)
        from_file = _cli_verify("--checkpoints", str(checkpoints))
    finally:
        superuser.run(reinsert("registry.access_log", removed))

    # the weakness: what remains of the chain is still a valid chain
    assert bare.returncode == 0, bare.stderr
    assert f"intact: {kept[-1]['seq']} rows" in bare.stdout
    for verdict in (expected, from_file):
        assert verdict.returncode == 1
        assert f"rows after {kept[-1]['seq']} are missing (tail truncated)" in verdict.stderr
        assert f"seq={removed[0]['seq']}:" in verdict.stderr
    await _assert_intact(client, auditor_headers, owner_connection, some_rows)
    assert _cli_verify("--expect", line).returncode == 0


async def test_a_checkpoint_whose_hash_does_not_match_fails_verification(
    some_rows: list[dict[str, Any]],
) -> None:
    seq = some_rows[1]["seq"]
    genuine = f"{seq}:{some_rows[1]['row_hash'].hex()}"

    forged = _cli_verify("--expect", genuine, "--expect", f"{seq}:{'0' * 64}")

    assert forged.returncode == 1
    assert f"seq={seq}:" in forged.stderr
    assert f"does not match checkpoint {seq}:{'0' * 64}" in forged.stderr


async def test_a_malformed_checkpoint_is_a_usage_error(tmp_path: Path) -> None:
    bad_file = tmp_path / "checkpoints.txt"
    bad_file.write_text("yesterday's head\n")

    malformed = _cli_verify("--expect", "12:abc")
    unreadable = _cli_verify("--checkpoints", str(tmp_path / "missing.txt"))
    garbled = _cli_verify("--checkpoints", str(bad_file))

    assert [r.returncode for r in (malformed, unreadable, garbled)] == [2, 2, 2]
    assert "not a checkpoint" in malformed.stderr
    assert "missing.txt" in unreadable.stderr
    assert "not a checkpoint" in garbled.stderr
