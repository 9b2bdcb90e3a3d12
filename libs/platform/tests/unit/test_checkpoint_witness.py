"""Signed access-log checkpoints (no I/O): signatures, key rings, the interval publisher, the
witness client and which checkpoint `audit verify` holds the chain against.

On real PostgreSQL and RabbitMQ, with the tail deleted as superuser:
services/registry/tests/integration/test_access_log_witness.py.
"""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jumin_platform.access_log import AccessLog, ChainReport, Checkpoint
from jumin_platform.checkpoint_signing import (
    SignedCheckpoint,
    SigningKeyRing,
    generate_checkpoint_keys,
    load_signing_ring,
    load_verifying_ring,
)
from jumin_platform.checkpoint_witness import (
    CheckpointLoop,
    CheckpointNotSent,
    CheckpointPublisher,
    WitnessClient,
    WitnessUnavailable,
    verify_with_witness,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

LOG_NAME = "registry.access_log"
TAKEN = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
HEAD = Checkpoint(seq=41, row_hash="ab" * 32)


def _ring(key_id: str = "k1") -> SigningKeyRing:
    return SigningKeyRing(keys={key_id: Ed25519PrivateKey.generate()}, active_key_id=key_id)


def _signed(ring: SigningKeyRing, head: Checkpoint = HEAD) -> SignedCheckpoint:
    return ring.sign(LOG_NAME, head, taken_at=TAKEN)


# ---- signatures -------------------------------------------------------------------------------


def test_a_signed_checkpoint_verifies_with_its_rings_public_keys() -> None:
    ring = _ring()
    signed = _signed(ring)

    assert ring.verifying().problem(signed) is None
    assert (signed.log, signed.seq, signed.row_hash, signed.key_id) == (
        LOG_NAME,
        41,
        "ab" * 32,
        "k1",
    )
    # it survives the trip as JSON (the broker, the witness's API)
    assert SignedCheckpoint.model_validate_json(signed.model_dump_json()) == signed


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 42},
        {"row_hash": "cd" * 32},
        {"taken_at": TAKEN + timedelta(seconds=1)},
        {"log": "cs_adapter.access_log"},
    ],
    ids=["seq", "row_hash", "taken_at", "log"],
)
def test_a_checkpoint_altered_after_signing_is_refused(change: dict[str, Any]) -> None:
    ring = _ring()
    altered = _signed(ring).model_copy(update=change)

    problem = ring.verifying().problem(altered)

    assert problem is not None
    assert "does not verify" in problem


def test_a_checkpoint_signed_with_another_key_of_the_same_id_is_refused() -> None:
    forged = _signed(_ring("k1"))  # an intruder's own key, named like ours

    problem = _ring("k1").verifying().problem(forged)

    assert problem is not None
    assert "forged" in problem


def test_a_checkpoint_of_an_unknown_key_is_refused() -> None:
    problem = _ring("k1").verifying().problem(_signed(_ring("k9")))

    assert problem == "checkpoint 41 is signed with an unknown key 'k9'"


def test_a_checkpoint_with_a_garbled_signature_is_refused_not_an_error() -> None:
    ring = _ring()
    garbled = _signed(ring).model_copy(update={"signature": "not!base64"})

    assert ring.verifying().problem(garbled) is not None


def test_key_files_private_0600_public_follows_a_rotation(tmp_path: Path) -> None:
    private, public = tmp_path / "keys.json", tmp_path / "signers" / "registry.json"
    generate_checkpoint_keys(private, public)
    first = load_signing_ring(private)
    old = _signed(first)
    generate_checkpoint_keys(private, public)  # again: nothing new, same key

    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert load_signing_ring(private).active_key_id == "k1"
    assert load_verifying_ring(public).problem(old) is None

    # rotate by hand: a new active key, the old one kept
    content = json.loads(private.read_text())
    content["keys"]["k2"] = content["keys"]["k1"][::-1]
    content["active"] = "k2"
    private.write_text(json.dumps(content))
    generate_checkpoint_keys(private, public)
    rotated = load_signing_ring(private)
    new = _signed(rotated)

    assert new.key_id == "k2"
    assert load_verifying_ring(public).problem(new) is None
    assert load_verifying_ring(public).problem(old) is None, "old checkpoints still verify"


# ---- the interval publisher -------------------------------------------------------------------


@dataclass
class FakeSender:
    sent: list[SignedCheckpoint] = field(default_factory=list)
    failing: bool = False

    async def send(self, checkpoint: SignedCheckpoint) -> None:
        if self.failing:
            raise CheckpointNotSent("AMQPConnectionError")
        self.sent.append(checkpoint)


@dataclass
class FakeLog:
    """The log's head, moved by the test; counts the looks."""

    head: Checkpoint = HEAD
    looks: int = 0

    async def read(self) -> Checkpoint:
        self.looks += 1
        return self.head


def _loop(
    sender: FakeSender, log: FakeLog, *, active: bool = True, tracer: Any = None
) -> CheckpointLoop:
    clock = iter(TAKEN + timedelta(minutes=5 * n) for n in range(100))
    publisher = CheckpointPublisher(
        log=AccessLog(LOG_NAME),
        ring=_ring(),
        sender=sender,
        clock=lambda: next(clock),
        **({"tracer": tracer} if tracer is not None else {}),
    )
    return CheckpointLoop(
        publisher=publisher, read_head=log.read, interval_seconds=300, active=lambda: active
    )


async def test_the_loop_publishes_the_head_then_only_when_it_moved() -> None:
    sender, log = FakeSender(), FakeLog()
    loop = _loop(sender, log)

    first = await loop.tick()
    idle = await loop.tick()
    log.head = Checkpoint(seq=42, row_hash="cd" * 32)
    moved = await loop.tick()

    assert first is not None
    assert first.seq == 41
    assert idle is None, "an unchanged head is not sent again"
    assert moved is not None
    assert moved.seq == 42
    assert [(c.seq, c.row_hash) for c in sender.sent] == [(41, "ab" * 32), (42, "cd" * 32)]
    assert sender.sent[1].taken_at == TAKEN + timedelta(minutes=5)


async def test_a_standby_neither_looks_nor_publishes() -> None:
    sender, log = FakeSender(), FakeLog()

    assert await _loop(sender, log, active=False).tick() is None
    assert (sender.sent, log.looks) == ([], 0)


async def test_a_checkpoint_that_could_not_be_sent_is_sent_at_the_next_tick() -> None:
    sender, log = FakeSender(failing=True), FakeLog()
    loop = _loop(sender, log)

    with pytest.raises(CheckpointNotSent):
        await loop.tick()
    sender.failing = False
    retried = await loop.tick()

    assert retried is not None
    assert [c.seq for c in sender.sent] == [41]


async def test_run_forever_ticks_every_interval_and_survives_a_failed_send() -> None:
    sender, log = FakeSender(failing=True), FakeLog()
    loop = _loop(sender, log)
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:  # the injected clock: no real waiting
        pauses.append(seconds)
        if len(pauses) == 1:
            sender.failing = False
        elif len(pauses) == 2:
            log.head = Checkpoint(seq=50, row_hash="ef" * 32)
        else:
            raise asyncio.CancelledError

    loop.sleep = sleep
    with pytest.raises(asyncio.CancelledError):
        await loop.run_forever()

    assert pauses == [300, 300, 300]
    assert [c.seq for c in sender.sent] == [41, 50]


async def test_an_idle_tick_records_no_span_and_a_publish_records_one() -> None:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    tracer = provider.get_tracer("test")
    sender, log = FakeSender(), FakeLog()

    async def traced_look() -> Checkpoint:  # as the asyncpg instrumentation would trace it
        with tracer.start_as_current_span("SELECT registry.access_log"):
            return await log.read()

    loop = _loop(sender, log, tracer=tracer)
    loop.read_head = traced_look
    await loop.tick()
    published = [s.name for s in exported.get_finished_spans()]
    exported.clear()
    for _ in range(5):
        await loop.tick()

    assert published == ["witness.checkpoint publish"]
    assert exported.get_finished_spans() == (), "idle looks leave no span"
    assert log.looks == 6


# ---- the witness client -----------------------------------------------------------------------


def _client(handler: Any) -> WitnessClient:
    return WitnessClient("http://witness", transport=httpx.MockTransport(handler))


async def test_the_client_reads_the_latest_checkpoint_or_none() -> None:
    signed = _signed(_ring())
    kept = {"checkpoint": signed.model_dump(mode="json"), "received_at": TAKEN.isoformat()}
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.params["log"] == LOG_NAME:
            return httpx.Response(200, json=kept)
        return httpx.Response(404, json={"status": 404})

    assert await _client(handler).latest(LOG_NAME) == signed
    assert await _client(handler).latest("cs_adapter.access_log") is None
    assert asked[0] == "http://witness/checkpoints/latest?log=registry.access_log"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.Response(500), "answered 500"),
        (httpx.Response(200, json={"x": 1}), "not a checkpoint"),
    ],
)
async def test_a_witness_that_answers_wrongly_is_unavailable(
    answer: httpx.Response, message: str
) -> None:
    with pytest.raises(WitnessUnavailable, match=message):
        await _client(lambda _: answer).latest(LOG_NAME)


async def test_a_witness_that_cannot_be_reached_is_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(WitnessUnavailable, match="cannot reach the witness at http://witness"):
        await _client(refuse).latest(LOG_NAME)


# ---- which checkpoint verification holds the chain against ---------------------------------------


@dataclass
class StubLog:
    """An AccessLog that records the checkpoints its verification was given."""

    table: str = LOG_NAME
    given: list[Checkpoint] = field(default_factory=list)

    async def verify(self, connection: Any, expect: Sequence[Checkpoint] = ()) -> ChainReport:
        self.given = list(expect)
        return ChainReport(ok=True, rows=41, last_seq=41, head_seq=41)


async def _tail(log: StubLog, latest: SignedCheckpoint | None, ring: SigningKeyRing) -> Any:
    return await verify_with_witness(cast(Any, log), cast(Any, None), latest, ring.verifying())


async def test_the_chain_is_held_against_a_sound_latest_checkpoint() -> None:
    ring, log = _ring(), StubLog()
    signed = _signed(ring)

    tail = await _tail(log, signed, ring)

    assert log.given == [signed.checkpoint]
    assert tail.ok
    assert tail.checkpoint_problem is None


async def test_a_forged_latest_checkpoint_is_reported_and_not_used() -> None:
    ring, log = _ring(), StubLog()
    forged = _signed(_ring())  # not our key

    tail = await _tail(log, forged, ring)

    assert log.given == [], "a forged checkpoint must not make a whole log look truncated"
    assert not tail.ok
    assert "does not verify" in tail.checkpoint_problem


async def test_another_logs_checkpoint_is_reported_and_not_used() -> None:
    ring, log = _ring(), StubLog(table="cs_adapter.access_log")

    tail = await _tail(log, _signed(ring), ring)

    assert log.given == []
    assert (
        tail.checkpoint_problem
        == "checkpoint 41 names registry.access_log, not cs_adapter.access_log"
    )


async def test_without_a_checkpoint_only_the_chain_is_verified() -> None:
    log = StubLog()

    tail = await _tail(log, None, _ring())

    assert log.given == []
    assert tail.ok
    assert tail.checkpoint is None
