"""アクセスログ (spec 10.2) on real PostgreSQL: append-only, and tampering found by the hash chain.

What is logged is in test_access_log.py; verifying through the API window by window in
test_access_log_windows.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from jumin_testing.access_log_tamper import (
    CONTENT,
    AuditCli,
    Superuser,
    assert_service_role_cannot_change,
    literal,
    reinsert,
    tail_removed,
)
from registry.bootstrap import ACCESS_LOG
from registry.config import Settings

from .audit_helpers import at_terminal, checkpoint_before, last_seq, register, rows_after
from .helpers import TokenFactory, auth, family, person

REPO_ROOT = Path(__file__).resolve().parents[4]
COUNTER = "shinjuku-madoguchi-01"


# ---- append-only ----------------------------------------------------------------------------------


async def test_the_service_role_may_not_update_or_delete_log_rows(
    client: httpx.AsyncClient, settings: Settings, owner_connection: Any
) -> None:
    await client.get("/residents", params={"kana": "ア"})  # at least one row exists
    seq = await last_seq(owner_connection)
    await assert_service_role_cannot_change(
        settings.database_url.get_secret_value(), "registry.access_log", seq
    )


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

CLI = AuditCli("jumin-registry", "registry.entrypoints.cli", cwd=REPO_ROOT)
# The chain alone, as before the witness existed: these tests tamper with rows the chain covers.
# Verifying against the witness's checkpoint: test_access_log_witness.py.
_cli_verify = partial(CLI.verify, "--no-witness")
_cli_checkpoint = CLI.checkpoint


@pytest.fixture
async def some_rows(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> AsyncIterator[list[dict[str, Any]]]:
    """Append a few rows (an intact chain before and after) and return them."""
    assert (await ACCESS_LOG.verify(owner_connection)).ok, "the chain was broken before the test"
    start = await last_seq(owner_connection)
    people = await register(client, token, *family())
    viewer = at_terminal(token, "viewer01", "viewer", COUNTER)
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
    await register(client, token, person())
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
    with tail_removed(superuser, "registry.access_log", removed):
        bare = _cli_verify()
        expected = _cli_verify("--expect", line)
        from_file = _cli_verify("--checkpoints", str(checkpoints))

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
