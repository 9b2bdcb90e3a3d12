"""Verifying a long access log window by window through the API (GET /audit/access-log/verify).

A ward's log grows by tens of thousands of rows a day, so one HTTP call cannot recompute it
all: the auditor starts from a checkpoint kept outside the database (or the first row) and goes
on from each answer's `next` until `complete`. The whole log is verified offline by the CLI.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from jumin_platform.access_log import GENESIS
from jumin_testing.access_log_tamper import Superuser, literal

from .audit_helpers import checkpoint_before, last_seq, rows_after
from .helpers import TokenFactory, auth, enter_and_approve, family, is_problem, move_in

VERIFY = "/audit/access-log/verify"


@pytest.fixture
def auditor(token: TokenFactory) -> dict[str, str]:
    return auth(token, "auditor01", "auditor")


@pytest.fixture
async def rows(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> list[dict[str, Any]]:
    """Append at least five rows (a family's move-in, then reading each record) and return them."""
    start = await last_seq(owner_connection)
    change = await enter_and_approve(client, token, move_in(*family()))
    viewer = auth(token, "viewer01", "viewer")
    for atena in change["subjects"]:
        assert (await client.get(f"/residents/{atena}", headers=viewer)).status_code == 200
    appended = await rows_after(owner_connection, start)
    assert len(appended) >= 5
    return appended


async def _verify(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    response = await client.get(VERIFY, params=params, headers=headers)
    assert response.status_code == 200, response.text
    verdict: dict[str, Any] = response.json()
    return verdict


async def test_a_log_is_verified_window_by_window_from_a_checkpoint_to_its_head(
    client: httpx.AsyncClient, auditor: dict[str, str], rows: list[dict[str, Any]]
) -> None:
    after, windows, verified = checkpoint_before(rows[0]), 0, 0
    while True:
        verdict = await _verify(client, auditor, after=after, limit=2)
        assert verdict["ok"] is True, verdict
        assert verdict["rows"] <= 2
        windows, verified = windows + 1, verified + verdict["rows"]
        if verdict["complete"]:
            break
        assert verdict["rows"] == 2
        assert verdict["next"].startswith(f"{verdict['last_seq']}:")
        after = verdict["next"]

    # The verify calls themselves are logged too, so the head moves on while the auditor reads.
    assert verified >= len(rows)
    assert windows >= len(rows) // 2
    assert verdict["last_seq"] == verdict["head_seq"]
    first = rows[0]["seq"]
    assert verdict["last_seq"] == first - 1 + verified
    mid = rows[2]
    middle = await _verify(client, auditor, after=f"{mid['seq']}:{bytes(mid['row_hash']).hex()}")
    assert middle["ok"] is True
    assert middle["rows"] >= len(rows) - 3


async def test_a_changed_row_is_found_in_the_window_that_holds_it_not_before(
    client: httpx.AsyncClient,
    auditor: dict[str, str],
    rows: list[dict[str, Any]],
    superuser: Superuser,
) -> None:
    target = rows[3]
    anchor = checkpoint_before(rows[0])
    superuser.run(
        f"UPDATE registry.access_log SET terminal = 'elsewhere' WHERE seq = {target['seq']}"
    )
    try:
        before = await _verify(client, auditor, after=anchor, limit=3)
        holding = await _verify(client, auditor, after=before["next"], limit=3)
    finally:
        superuser.run(
            f"UPDATE registry.access_log SET terminal = {literal(target['terminal'])}"
            f" WHERE seq = {target['seq']}"
        )

    assert before["ok"] is True
    assert before["last_seq"] == target["seq"] - 1
    assert holding["ok"] is False
    assert holding["first_bad_seq"] == target["seq"]
    assert "changed" in holding["problem"]
    assert holding["next"] is None
    assert (await _verify(client, auditor, after=anchor))["ok"] is True


async def test_a_checkpoint_the_log_no_longer_matches_is_reported_not_trusted(
    client: httpx.AsyncClient, auditor: dict[str, str], rows: list[dict[str, Any]]
) -> None:
    seq = rows[1]["seq"]
    forged = f"{seq}:{'ab' * 32}"
    beyond = f"{rows[-1]['seq'] + 1_000_000}:{bytes(rows[-1]['row_hash']).hex()}"

    mismatch = await _verify(client, auditor, after=forged)
    missing = await _verify(client, auditor, after=beyond)
    not_empty = await _verify(client, auditor, after=f"0:{'01' * 32}")

    assert (mismatch["ok"], mismatch["first_bad_seq"], mismatch["rows"]) == (False, seq, 0)
    assert "does not match checkpoint" in mismatch["problem"]
    assert missing["ok"] is False
    assert "missing" in missing["problem"]
    assert not_empty["ok"] is False
    assert (await _verify(client, auditor, after=f"0:{GENESIS.hex()}", limit=1))["ok"] is True


@pytest.mark.parametrize(
    "params",
    [
        {"after": "12"},  # no hash
        {"after": "12:abc"},  # short hash
        {"after": f"{'9' * 19}:{'00' * 32}"},  # seq beyond bigint
        {"after": f"-1:{'00' * 32}"},
        {"limit": 0},
        {"limit": 20_001},
    ],
)
async def test_a_malformed_window_is_refused_with_a_problem(
    client: httpx.AsyncClient, auditor: dict[str, str], params: dict[str, Any]
) -> None:
    response = await client.get(VERIFY, params=params, headers=auditor)

    assert is_problem(response, 422)
