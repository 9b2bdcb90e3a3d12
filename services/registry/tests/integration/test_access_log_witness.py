"""アクセスログの末尾 (issue 11 item 5): signed checkpoints kept by the witness make a tail deleted
after them visible to `jumin-registry audit verify`.

Real parts: the registry's API publishes on the test vhost, `jumin-audit-witness serve` runs as its
own process on the test database and keeps what arrives; the tail is deleted as the PostgreSQL
superuser (the append-only guards off), as an intruder with that power could.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jumin_platform.access_log import Checkpoint
from jumin_platform.checkpoint_signing import (
    SigningKeyRing,
    generate_checkpoint_keys,
)
from jumin_testing.access_log_tamper import AuditCli, Superuser, tail_removed
from jumin_testing.e2e.environment import free_port
from jumin_testing.e2e.processes import ServiceProcess, script
from jumin_testing.waiting import eventually
from registry import bootstrap
from registry.config import Settings

from .audit_helpers import last_seq, register
from .helpers import TokenFactory, auth, family, person

REPO_ROOT = Path(__file__).resolve().parents[4]
LOG = "registry.access_log"
CLI = AuditCli("jumin-registry", "registry.entrypoints.cli", cwd=REPO_ROOT)


# ---- the witness, as its own process --------------------------------------------------------------


@pytest.fixture(scope="module")
def witness_url(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run `jumin-audit-witness serve` on a free port, trusting the registry's checkpoint keys."""
    generate_checkpoint_keys(settings.checkpoint_key_file, settings.checkpoint_public_key_file)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "JUMIN_AUDIT_WITNESS_PORT": str(port),
        "JUMIN_AUDIT_WITNESS_SIGNERS_DIR": str(settings.checkpoint_public_key_file.parent),
        "OTEL_SDK_DISABLED": "true",
    }
    process = ServiceProcess(
        "audit_witness",
        [script("jumin-audit-witness"), "serve"],
        env,
        tmp_path_factory.mktemp("witness") / "witness.log",
        ready=lambda: _ready(url),
    )
    asyncio.run(process.start_ready(within=60))
    try:
        yield url
    finally:
        process.stop()


async def _ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as http:
            return (await http.get(f"{url}/readyz")).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def via_witness(witness_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point `audit verify` (a subprocess: it inherits the environment) at the test's witness."""
    monkeypatch.setenv("JUMIN_REGISTRY_WITNESS_URL", witness_url)
    return witness_url


async def _latest(witness_url: str) -> dict[str, Any] | None:
    async with httpx.AsyncClient(base_url=witness_url, timeout=5) as http:
        response = await http.get("/checkpoints/latest", params={"log": LOG})
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    checkpoint: dict[str, Any] = response.json()["checkpoint"]
    return checkpoint


async def _witness_holds(witness_url: str, seq: int) -> dict[str, Any]:
    async def latest() -> dict[str, Any] | None:
        return await _latest(witness_url)

    found: dict[str, Any] = await eventually(
        latest, lambda c: c is not None and c["seq"] >= seq, what=f"the witness to hold row {seq}"
    )
    return found


async def _publish(client: httpx.AsyncClient, token: TokenFactory) -> dict[str, Any]:
    response = await client.post(
        "/audit/access-log/checkpoints", headers=auth(token, "auditor01", "auditor")
    )
    assert response.status_code == 201, response.text
    published: dict[str, Any] = response.json()
    return published


# ---- on demand, then verify against it --------------------------------------------------------------


async def test_an_on_demand_checkpoint_is_signed_kept_by_the_witness_and_met(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    via_witness: str,
) -> None:
    await register(client, token, person())
    head = await last_seq(owner_connection)

    published = await _publish(client, token)
    kept = await _witness_holds(via_witness, published["seq"])
    verified = CLI.verify()

    assert published["log"] == LOG
    assert published["seq"] == head, "the head when the auditor asked (before this call's row)"
    assert published["line"] == f"{head}:{published['row_hash']}"
    assert (kept["seq"], kept["row_hash"], kept["key_id"]) == (
        head,
        published["row_hash"],
        published["key_id"],
    )
    assert verified.returncode == 0, verified.stderr
    assert f"latest checkpoint: row {head} " in verified.stdout
    assert "intact" in verified.stdout
    assert "1 checkpoint(s) met" in verified.stdout


async def test_audit_checkpoint_publish_sends_the_head_to_the_witness(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    via_witness: str,
) -> None:
    await register(client, token, person())
    head = await last_seq(owner_connection)

    taken = CLI.audit("checkpoint", "--publish")
    kept = await _witness_holds(via_witness, head)

    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.strip() == f"{head}:{kept['row_hash']}"
    assert "sent to the witness" in taken.stderr
    assert kept["seq"] == head


async def test_a_tail_deleted_after_the_latest_checkpoint_is_reported(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    superuser: Superuser,
    via_witness: str,
) -> None:
    start = await last_seq(owner_connection)
    await register(client, token, *family())
    published = await _publish(client, token)
    await _witness_holds(via_witness, published["seq"])
    rows = await owner_connection.fetch(
        "SELECT * FROM registry.access_log WHERE seq > $1 ORDER BY seq", start
    )
    removed = [dict(r) for r in rows if r["seq"] > published["seq"] - 3]
    kept_last = removed[0]["seq"] - 1

    # no API call while the tail is gone: it would append a row where the removed ones belong
    with tail_removed(superuser, LOG, removed):
        against_witness = CLI.verify()
        chain_alone = CLI.verify("--no-witness")

    assert against_witness.returncode == 1
    assert f"latest checkpoint: row {published['seq']} " in against_witness.stdout
    assert f"the log's last row is {kept_last}" in against_witness.stdout
    assert (
        f"rows after {kept_last} are missing (tail truncated): a checkpoint names row "
        f"{published['seq']}" in against_witness.stderr
    )
    # what the chain alone cannot see (the reason for the witness)
    assert chain_alone.returncode == 0, chain_alone.stderr
    assert f"intact: {kept_last} rows" in chain_alone.stdout
    assert CLI.verify().returncode == 0, "the tail restored, the log meets its checkpoint again"


async def test_a_forged_checkpoint_at_the_witness_is_reported_not_believed(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    superuser: Superuser,
    via_witness: str,
) -> None:
    await register(client, token, person())
    published = await _publish(client, token)
    await _witness_holds(via_witness, published["seq"])
    head = await last_seq(owner_connection)
    # an intruder adds a checkpoint of their own making, far beyond the head, with our key's id
    intruder = SigningKeyRing(
        keys={published["key_id"]: Ed25519PrivateKey.generate()},
        active_key_id=published["key_id"],
    )
    forged = intruder.sign(
        LOG, Checkpoint(seq=head + 1000, row_hash=secrets.token_hex(32)), taken_at=datetime.now(UTC)
    )
    values = (
        f"'{forged.log}', {forged.seq}, '{forged.row_hash}', '{forged.taken_at.isoformat()}',"
        f" '{forged.key_id}', '{forged.signature}'"
    )
    superuser.run(
        "INSERT INTO audit_witness.checkpoints (log, seq, row_hash, taken_at, key_id, signature)"
        f" VALUES ({values})"
    )
    try:
        verdict = CLI.verify()
    finally:
        superuser.run(f"DELETE FROM audit_witness.checkpoints WHERE row_hash = '{forged.row_hash}'")

    assert verdict.returncode == 1
    assert (
        f"checkpoint REFUSED: checkpoint {head + 1000} of {LOG} has a signature that does not"
        " verify: forged or altered" in verdict.stderr
    )
    assert "intact" in verdict.stdout, "the chain itself is still verified and reported"
    assert CLI.verify().returncode == 0


async def test_verify_without_a_reachable_witness_does_not_call_the_log_intact(
    owner_connection: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUMIN_REGISTRY_WITNESS_URL", f"http://127.0.0.1:{free_port()}")

    verdict = CLI.verify()

    assert verdict.returncode == 1
    assert "NOT VERIFIED: cannot reach the witness" in verdict.stderr
    assert "intact" not in verdict.stdout


# ---- at an interval, from the active relay ------------------------------------------------------


async def test_the_active_relay_publishes_a_checkpoint_each_interval_once_the_log_grew(
    client: httpx.AsyncClient,
    token: TokenFactory,
    settings: Settings,
    owner_connection: Any,
    via_witness: str,
) -> None:
    quick = settings.model_copy(update={"checkpoint_interval_seconds": 0.2})
    relay = asyncio.create_task(bootstrap.run_relay(quick))
    try:
        first = await _witness_holds(via_witness, await last_seq(owner_connection))
        await client.get("/residents", params={"kana": "ア"}, headers=auth(token, "v01", "viewer"))
        grown = await last_seq(owner_connection)
        second = await _witness_holds(via_witness, grown)
    finally:
        relay.cancel()
        with pytest.raises(asyncio.CancelledError):
            await relay

    assert second["seq"] == grown > first["seq"]


# ---- the registry cannot rewrite what the witness keeps -----------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) FROM audit_witness.checkpoints",
        "UPDATE audit_witness.checkpoints SET seq = 0",
        "DELETE FROM audit_witness.checkpoints",
        "TRUNCATE audit_witness.checkpoints",
        "INSERT INTO audit_witness.checkpoints (log, seq, row_hash, taken_at, key_id, signature)"
        " VALUES ('registry.access_log', 1, repeat('0', 64), now(), 'k1', 'x')",
    ],
    ids=["select", "update", "delete", "truncate", "insert"],
)
async def test_the_registry_roles_have_no_right_on_the_witness_table(
    settings: Settings, sql: str
) -> None:
    for dsn in (settings.database_url, settings.migration_database_url):
        connection = await asyncpg.connect(dsn.get_secret_value())
        try:
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
                await connection.execute(sql)
        finally:
            await connection.close()
