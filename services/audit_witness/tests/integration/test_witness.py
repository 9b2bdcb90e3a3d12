"""The witness on real PostgreSQL and RabbitMQ: signed checkpoints from `jumin.events` are kept
append-only; forged ones are dead-lettered, never kept; nobody can change what is kept.

A publisher sends as the registry would (its broker user may publish `witness.*` on jumin.events).
The table is never emptied (not even the owner may), so each test signs a log of its own.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
from audit_witness.config import Settings
from audit_witness.entrypoints.api.app import create_app
from jumin_platform.checkpoint_signing import SignedCheckpoint
from jumin_platform.checkpoint_witness import AmqpCheckpointSender
from jumin_testing.checkpoint_signer import Signer
from jumin_testing.waiting import eventually

PUBLISHER_AMQP_URL = "JUMIN_REGISTRY_AMQP_URL"


@pytest.fixture
def settings(signers_dir: Path) -> Settings:
    """The witness's settings from the environment (`make test`), trusting the test's signer."""
    settings = Settings(signers_dir=signers_dir)
    if "test" not in settings.database_url.get_secret_value().rsplit("/", 1)[-1]:
        pytest.fail("integration tests run only against a *test* database (use `make test`)")
    return settings


@pytest.fixture
async def witness(settings: Settings, signer: Signer) -> AsyncIterator[httpx.AsyncClient]:
    """Run the witness (API and consumer) in this process; its API through an httpx client."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await eventually(_consuming(app), what="the witness to consume witness.events")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://witness") as http:
            yield http


def _consuming(app: Any) -> Any:
    async def check() -> bool:
        return bool(app.state.witness.consumer.consuming.is_set())

    return check


def _sender() -> AmqpCheckpointSender:
    return AmqpCheckpointSender(os.environ[PUBLISHER_AMQP_URL])


async def _kept(http: httpx.AsyncClient, log: str) -> list[dict[str, Any]]:
    response = await http.get("/checkpoints", params={"log": log})
    assert response.status_code == 200, response.text
    kept: list[dict[str, Any]] = response.json()
    return kept


async def test_a_signed_checkpoint_sent_on_the_broker_is_kept_once(
    witness: httpx.AsyncClient, signer: Signer
) -> None:
    older, newer = signer.sign(10), signer.sign(12)
    for checkpoint in (older, newer, newer):  # the last one sent twice
        await _sender().send(checkpoint)

    async def both_kept() -> bool:
        return len(await _kept(witness, signer.log)) == 2

    await eventually(both_kept, what="both checkpoints kept")
    latest = await witness.get("/checkpoints/latest", params={"log": signer.log})

    assert latest.status_code == 200
    assert SignedCheckpoint.model_validate(latest.json()["checkpoint"]) == newer
    assert [k["checkpoint"]["seq"] for k in await _kept(witness, signer.log)] == [12, 10]


async def test_the_latest_is_the_highest_row_even_if_it_arrived_first(
    witness: httpx.AsyncClient, signer: Signer
) -> None:
    high, low = signer.sign(30), signer.sign(20)
    for checkpoint in (high, low):
        await _sender().send(checkpoint)

    async def both_kept() -> bool:
        return len(await _kept(witness, signer.log)) == 2

    await eventually(both_kept, what="both checkpoints kept")
    latest = await witness.get("/checkpoints/latest", params={"log": signer.log})

    assert latest.json()["checkpoint"]["seq"] == 30


async def test_a_forged_checkpoint_is_dead_lettered_and_not_kept(
    witness: httpx.AsyncClient, settings: Settings, signer: Signer, intruder: Signer
) -> None:
    forged, genuine = intruder.sign(99), signer.sign(5)
    await _sender().send(forged)
    await _sender().send(genuine)  # behind it in the queue: once kept, the forged one was judged

    async def genuine_kept() -> bool:
        return len(await _kept(witness, signer.log)) == 1

    await eventually(genuine_kept, what="the genuine checkpoint kept")
    kept = await _kept(witness, signer.log)

    assert [k["checkpoint"]["seq"] for k in kept] == [5]
    assert f"{forged.log}:99:{forged.row_hash[:16]}" in await _dead_letters(settings)


async def _dead_letters(settings: Settings) -> set[str]:
    """The message ids in witness.dead (read without acking: closing returns them)."""
    connection = await aio_pika.connect(settings.amqp_url.get_secret_value())
    ids: set[str] = set()
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue("witness.dead", ensure=False)
        while (message := await queue.get(no_ack=False, fail=False)) is not None:
            ids.add(str(message.message_id))
    return ids


async def test_a_malformed_log_name_is_a_422_problem_and_an_unknown_log_a_404(
    witness: httpx.AsyncClient, signer: Signer
) -> None:
    malformed = await witness.get("/checkpoints/latest", params={"log": "registry; DROP"})
    unknown = await witness.get("/checkpoints/latest", params={"log": signer.log})

    assert malformed.status_code == 422
    assert malformed.headers["content-type"] == "application/problem+json"
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert "まだありません" in unknown.json()["detail"]


# ---- append-only --------------------------------------------------------------------------------


CHANGES = (
    "UPDATE audit_witness.checkpoints SET seq = seq + 1 WHERE log = $1",
    "DELETE FROM audit_witness.checkpoints WHERE log = $1",
)


async def _one_kept(witness: httpx.AsyncClient, signer: Signer) -> None:
    await _sender().send(signer.sign(3))

    async def kept() -> bool:
        return len(await _kept(witness, signer.log)) == 1

    await eventually(kept, what="the checkpoint kept")


async def test_the_witness_role_may_add_and_read_but_not_change_or_delete(
    witness: httpx.AsyncClient, settings: Settings, signer: Signer
) -> None:
    await _one_kept(witness, signer)
    connection = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        for sql in CHANGES:
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
                await connection.execute(sql, signer.log)
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            await connection.execute("TRUNCATE audit_witness.checkpoints")
    finally:
        await connection.close()
    assert len(await _kept(witness, signer.log)) == 1


async def test_even_the_schema_owner_cannot_change_delete_or_truncate(
    witness: httpx.AsyncClient, settings: Settings, signer: Signer
) -> None:
    await _one_kept(witness, signer)
    owner = await asyncpg.connect(settings.migration_database_url.get_secret_value())
    try:
        for sql, args in ((s, (signer.log,)) for s in CHANGES):
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="append-only"):
                await owner.execute(sql, *args)
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="append-only"):
            await owner.execute("TRUNCATE audit_witness.checkpoints")
    finally:
        await owner.close()
    assert len(await _kept(witness, signer.log)) == 1
