"""Sequencing decisions of the consumer kit, with an in-memory store and outlet (no I/O).

What an adapter relies on: each event applied once; a person's messages applied in `seq` order
whatever the arrival order; a transient failure retried with back-off, then dead-lettered; a
permanent failure (or a payload with a field the recipient may not get) dead-lettered at once with
the person blocked, so their later messages wait while other people's flow.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from jumin_contracts.codes import ChangeKind, Sex
from jumin_contracts.envelope import Envelope, new_event_id
from jumin_contracts.messages import KosekiFuhyoNotice, RecipientMessage
from jumin_platform.consumer.errors import PermanentError, TransientError
from jumin_platform.consumer.messages import Incoming, ModelIndex
from jumin_platform.consumer.processing import Outcome, Processor, Verdict
from jumin_platform.consumer.sequencing import Decision, Progress, decide, next_retry_delay

DELAYS = (1, 10, 60)
ALICE = "alice_person_key_0001"
BOB = "bob_person_key_000002"


# ---- pure decisions ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("seq", "progress", "seen", "expected"),
    [
        (1, Progress(), False, Decision.HANDLE),
        (4, Progress(last_seq=3), False, Decision.HANDLE),
        (3, Progress(last_seq=3), False, Decision.DUPLICATE),
        (1, Progress(last_seq=3), False, Decision.DUPLICATE),
        (4, Progress(last_seq=3), True, Decision.DUPLICATE),
        (5, Progress(last_seq=3), False, Decision.PARK_GAP),
        (4, Progress(last_seq=3, blocked_event_id=uuid4()), False, Decision.PARK_BLOCKED),
        (9, Progress(last_seq=3, blocked_event_id=uuid4()), False, Decision.PARK_BLOCKED),
    ],
)
def test_decide(seq: int, progress: Progress, seen: bool, expected: Decision) -> None:
    assert decide(seq=seq, event_id=uuid4(), progress=progress, already_processed=seen) is expected


def test_the_blocking_event_itself_is_handled_when_resent() -> None:
    blocker = uuid4()
    progress = Progress(last_seq=3, blocked_event_id=blocker)
    assert decide(seq=4, event_id=blocker, progress=progress, already_processed=False) is (
        Decision.HANDLE
    )


def test_retry_delays_follow_the_topology_then_give_up() -> None:
    assert [next_retry_delay(a, DELAYS) for a in range(5)] == [1, 10, 60, None, None]


PARKED_FAILURE_LIMIT = 4


# ---- fakes ---------------------------------------------------------------------------------------
@dataclass
class State:
    inbox: dict[UUID, str] = field(default_factory=dict)
    progress: dict[str, Progress] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    parked: dict[UUID, tuple[Incoming, Decision]] = field(default_factory=dict)
    parked_failures: dict[UUID, int] = field(default_factory=dict)
    effects: list[tuple[str, int]] = field(default_factory=list)  # the adapter's writes


class FakeUnit:
    """A transaction over `State`: a snapshot restored when the block raises."""

    def __init__(self, db: FakeStore) -> None:
        self.db = db

    @property
    def connection(self) -> State:
        return self.db.state

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[object]:
        snapshot = copy.deepcopy(self.db.state)
        try:
            yield None
        except BaseException:
            self.db.state = snapshot
            raise

    async def lock_person(self, person_key: str) -> Progress:
        return self.db.state.progress.setdefault(person_key, Progress())

    async def lock_batch(
        self, person_keys: Sequence[str], event_ids: Sequence[UUID]
    ) -> tuple[dict[str, Progress], set[UUID]]:
        progress = {key: await self.lock_person(key) for key in person_keys}
        return progress, {e for e in event_ids if e in self.db.state.inbox}

    async def seen(self, event_id: UUID) -> bool:
        return event_id in self.db.state.inbox

    async def mark_all_applied(self, messages: Sequence[Incoming]) -> set[str]:
        for message in messages:
            await self.mark_applied(message)
        parked = {m.person_key for m, _ in self.db.state.parked.values()}
        return {m.person_key for m in messages} & parked

    async def mark_applied(self, message: Incoming) -> None:
        state = self.db.state
        state.inbox[message.event_id] = "applied"
        now = state.progress[message.person_key]
        if now.blocked_event_id == message.event_id:  # lifts only the block this event held
            now = Progress(now.last_seq)
            state.reasons.pop(message.person_key, None)
        state.progress[message.person_key] = Progress(
            max(now.last_seq, message.seq), now.blocked_event_id
        )

    async def park(self, message: Incoming, reason: Decision) -> None:
        self.db.state.parked.setdefault(message.event_id, (message, reason))

    async def take_parked(self, person_key: str, seq: int) -> Incoming | None:
        parked = self.db.state.parked
        for event_id, (message, _) in sorted(parked.items()):
            if message.person_key == person_key and message.seq <= seq:
                del parked[event_id]  # the next one is taken, stale ones dropped
                if message.seq == seq:
                    return message
        return None

    async def count_parked_failure(self, event_id: UUID) -> int:
        if event_id not in self.db.state.parked:
            return 0
        failures = self.db.state.parked_failures.get(event_id, 0) + 1
        self.db.state.parked_failures[event_id] = failures
        return failures

    async def block(self, message: Incoming, reason: str) -> None:
        last = self.db.state.progress[message.person_key].last_seq
        self.db.state.progress[message.person_key] = Progress(last, message.event_id)
        self.db.state.reasons[message.person_key] = reason


class FakeStore:
    def __init__(self) -> None:
        self.state = State()

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[FakeUnit]:
        unit = FakeUnit(self)
        async with unit.savepoint():
            yield unit


@dataclass
class FakeOutlet:
    retried: list[tuple[UUID, int, int]] = field(default_factory=list)
    dead: list[tuple[UUID, str]] = field(default_factory=list)

    async def retry(self, message: Incoming, *, attempt: int, delay: int) -> None:
        self.retried.append((message.event_id, attempt, delay))

    async def dead_letter(self, message: Incoming, *, reason: str) -> None:
        self.dead.append((message.event_id, reason))


class ScriptedHandler:
    """Apply a message by appending (person, seq) to the effects; raise what a test scripts."""

    def __init__(self) -> None:
        self.failures: dict[UUID, list[Exception]] = {}

    def fail(self, message: Incoming, *errors: Exception) -> None:
        self.failures[message.event_id] = list(errors)

    async def __call__(self, envelope: Envelope, payload: RecipientMessage, db: Any) -> None:
        assert isinstance(payload, KosekiFuhyoNotice)
        db.effects.append((envelope.person_key, envelope.seq))  # written before failing
        pending = self.failures.get(envelope.event_id)
        if pending:
            raise pending.pop(0)


@dataclass
class Harness:
    store: FakeStore
    outlet: FakeOutlet
    handler: ScriptedHandler
    processor: Processor

    @property
    def state(self) -> State:
        return self.store.state

    async def deliver(self, message: Incoming) -> Outcome:
        """Act as the transport does: process, then drain the person when applied."""
        outcome = await self.processor.consume(message)
        if outcome.applied:
            await self.processor.drain(message.person_key)
        return outcome


@pytest.fixture
def kit() -> Harness:
    store, outlet, handler = FakeStore(), FakeOutlet(), ScriptedHandler()
    processor = Processor(
        store=store,
        outlet=outlet,
        handler=handler,
        models=ModelIndex("koseki", [KosekiFuhyoNotice]),
        retry_delays=DELAYS,
        parked_failure_limit=PARKED_FAILURE_LIMIT,
    )
    return Harness(store, outlet, handler, processor)


def notice() -> KosekiFuhyoNotice:
    return KosekiFuhyoNotice(
        change_kind=ChangeKind.BIRTH,
        occurred_on="2024-04-01",
        honseki="東京都新宿区歌舞伎町一丁目4番地",
        hittosha="新宿太郎",
        family_name="新宿",
        given_name="花子",
        address="東京都新宿区歌舞伎町一丁目4番1号",
        moved_abroad=False,
        abroad_country=None,
        address_since="2024-04-01",
        birth_date="2024-04-01",
        sex=Sex.FEMALE,
        juminhyo_code=None,
    )


def message(person: str, seq: int, *, attempt: int = 0, **extra: object) -> Incoming:
    envelope = Envelope.wrap(
        notice(),
        change_id=uuid4(),
        person_key=person,
        seq=seq,
        kind=ChangeKind.BIRTH,
        occurred_on="2024-04-01",
        notified_on=None,
        recorded_at=datetime(2024, 4, 2, 9, 0, tzinfo=UTC),
        event_id=new_event_id(),
    )
    if extra:
        payload = {**envelope.payload, **extra}
        envelope = envelope.model_copy(update={"payload": payload})
    return Incoming(envelope, KosekiFuhyoNotice.ROUTING_KEY, attempt=attempt)


# ---- behaviour -----------------------------------------------------------------------------------
async def test_a_redelivered_event_is_applied_once(kit: Harness) -> None:
    first = message(ALICE, 1)
    outcomes = [await kit.deliver(first) for _ in range(3)]
    assert [o.decision for o in outcomes] == [
        Decision.HANDLE,
        Decision.DUPLICATE,
        Decision.DUPLICATE,
    ]
    assert all(o.verdict is Verdict.ACK for o in outcomes)
    assert kit.state.effects == [(ALICE, 1)]


async def test_messages_arriving_out_of_order_are_applied_in_order(kit: Harness) -> None:
    one, two, three = (message(ALICE, seq) for seq in (1, 2, 3))
    assert (await kit.deliver(three)).decision is Decision.PARK_GAP
    assert (await kit.deliver(two)).decision is Decision.PARK_GAP
    assert kit.state.effects == []
    assert (await kit.deliver(one)).applied
    assert kit.state.effects == [(ALICE, 1), (ALICE, 2), (ALICE, 3)]
    assert kit.state.parked == {}
    assert kit.state.progress[ALICE].last_seq == 3


async def test_a_transient_failure_is_retried_with_the_next_delay(kit: Harness) -> None:
    first = message(ALICE, 1)
    kit.handler.fail(first, TransientError("CS timeout"))
    outcome = await kit.deliver(first)
    assert (outcome.verdict, outcome.attempt, outcome.delay) == (Verdict.RETRY, 1, 1)
    assert kit.state.effects == []  # the handler's write rolled back with its savepoint
    assert kit.state.progress[ALICE] == Progress(last_seq=0)

    again = Incoming(first.envelope, first.routing_key, attempt=1)
    assert (await kit.deliver(again)).applied
    assert kit.state.effects == [(ALICE, 1)]


async def test_retries_used_up_dead_letter_and_block_the_person(kit: Harness) -> None:
    last_try = message(ALICE, 1, attempt=len(DELAYS))
    kit.handler.fail(last_try, TransientError("CS 503"))
    outcome = await kit.deliver(last_try)
    assert outcome.verdict is Verdict.DEAD
    assert kit.state.progress[ALICE].blocked_event_id == last_try.event_id
    assert "retries exhausted after 3" in kit.state.reasons[ALICE]


async def test_a_permanent_failure_blocks_only_that_person(kit: Harness) -> None:
    a1, a2, a3, b1 = message(ALICE, 1), message(ALICE, 2), message(ALICE, 3), message(BOB, 1)
    kit.handler.fail(a1, PermanentError("koseki 400: honseki unknown"))
    assert (await kit.deliver(a1)).verdict is Verdict.DEAD
    assert (await kit.deliver(a2)).decision is Decision.PARK_BLOCKED
    assert (await kit.deliver(b1)).applied
    assert (await kit.deliver(a3)).decision is Decision.PARK_BLOCKED
    assert kit.state.effects == [(BOB, 1)]
    assert kit.state.reasons[ALICE] == "koseki 400: honseki unknown"

    # The operator resends a1 (same event id): it is handled, unblocks Alice, a2 and a3 follow.
    assert (await kit.deliver(a1)).applied
    assert kit.state.effects == [(BOB, 1), (ALICE, 1), (ALICE, 2), (ALICE, 3)]
    assert kit.state.progress[ALICE] == Progress(last_seq=3)


async def test_a_payload_with_a_forbidden_field_is_permanent(kit: Harness) -> None:
    leaky = message(ALICE, 1, my_number="123456789018")
    outcome = await kit.deliver(leaky)
    assert outcome.verdict is Verdict.DEAD
    assert outcome.reason is not None
    assert "my_number: extra_forbidden" in outcome.reason
    assert "123456789018" not in outcome.reason  # reasons never repeat values
    assert kit.state.effects == []


async def test_an_unknown_schema_is_permanent(kit: Harness) -> None:
    odd = message(ALICE, 1)
    envelope = odd.envelope.model_copy(update={"schema_id": "koseki.fuhyo_notice@2"})
    outcome = await kit.deliver(Incoming(envelope, odd.routing_key))
    assert outcome.verdict is Verdict.DEAD
    assert "koseki.fuhyo_notice@2" in (outcome.reason or "")


async def test_a_parked_message_failing_for_good_is_dead_lettered_by_the_kit(kit: Harness) -> None:
    one, two, three = (message(ALICE, seq) for seq in (1, 2, 3))
    kit.handler.fail(two, PermanentError("koseki 422"))
    await kit.deliver(three)
    await kit.deliver(two)
    assert (await kit.deliver(one)).applied
    assert kit.outlet.dead == [(two.event_id, "koseki 422")]
    assert kit.state.progress[ALICE] == Progress(last_seq=1, blocked_event_id=two.event_id)
    assert list(kit.state.parked) == [three.event_id]  # waits for the operator
    assert kit.state.effects == [(ALICE, 1)]


async def test_a_parked_message_failing_unexpectedly_is_dead_lettered_at_the_limit(
    kit: Harness,
) -> None:
    # A bug, not a Transient/PermanentError: like a delivery at the queue's delivery limit.
    one, two, three = (message(ALICE, seq) for seq in (1, 2, 3))
    kit.handler.fail(two, *[RuntimeError("adapter bug")] * 20)
    await kit.processor.consume(three)
    await kit.processor.consume(two)
    assert (await kit.processor.consume(one)).applied

    for _ in range(PARKED_FAILURE_LIMIT - 1):
        with pytest.raises(RuntimeError):
            await kit.processor.drain(ALICE)  # the sweep's next try
        assert kit.outlet.dead == []
        assert set(kit.state.parked) == {two.event_id, three.event_id}
    with pytest.raises(RuntimeError):
        await kit.processor.drain(ALICE)

    reason = f"failed {PARKED_FAILURE_LIMIT} times while applied from parking: RuntimeError"
    assert kit.outlet.dead == [(two.event_id, reason)]
    assert kit.state.progress[ALICE] == Progress(last_seq=1, blocked_event_id=two.event_id)
    assert list(kit.state.parked) == [three.event_id]  # waits for the operator
    assert kit.state.effects == [(ALICE, 1)]


async def test_a_parked_message_failing_transiently_goes_to_the_retry_queue(kit: Harness) -> None:
    one, two = message(ALICE, 1), message(ALICE, 2)
    kit.handler.fail(two, TransientError("timeout"))
    await kit.deliver(two)
    await kit.deliver(one)
    assert kit.outlet.retried == [(two.event_id, 1, 1)]
    assert kit.state.parked == {}
    assert (await kit.deliver(Incoming(two.envelope, two.routing_key, attempt=1))).applied
    assert kit.state.effects == [(ALICE, 1), (ALICE, 2)]


async def test_a_parked_event_already_in_the_inbox_is_dropped(kit: Harness) -> None:
    one, two = message(ALICE, 1), message(ALICE, 2)
    await kit.deliver(two)
    kit.state.inbox[two.event_id] = "skipped"  # e.g. an operator skipped it meanwhile
    await kit.deliver(one)
    assert kit.state.effects == [(ALICE, 1)]
    assert kit.state.parked == {}


# ---- batches: deliveries ready together share one transaction ------------------------------------
async def test_a_batch_applies_each_persons_messages_in_seq_order(kit: Harness) -> None:
    a1, a2, a3, b1 = message(ALICE, 1), message(ALICE, 2), message(ALICE, 3), message(BOB, 1)
    outcomes = await kit.processor.consume_batch([a3, b1, a2, a1, a2])
    assert [o.decision for o in outcomes] == [
        Decision.HANDLE,
        Decision.HANDLE,
        Decision.HANDLE,
        Decision.HANDLE,
        Decision.DUPLICATE,
    ]
    assert [e for e in kit.state.effects if e[0] == ALICE] == [(ALICE, 1), (ALICE, 2), (ALICE, 3)]
    assert kit.state.progress[ALICE] == Progress(last_seq=3)
    assert kit.state.progress[BOB] == Progress(last_seq=1)
    assert kit.state.parked == {}


async def test_one_failure_in_a_batch_keeps_the_others_and_parks_that_persons_next(
    kit: Harness,
) -> None:
    a1, a2, b1 = message(ALICE, 1), message(ALICE, 2), message(BOB, 1)
    kit.handler.fail(a1, PermanentError("koseki 400"))
    outcomes = await kit.processor.consume_batch([a1, a2, b1])
    assert [o.verdict for o in outcomes] == [Verdict.DEAD, Verdict.ACK, Verdict.ACK]
    assert outcomes[1].decision is Decision.PARK_BLOCKED
    assert outcomes[2].applied
    assert kit.state.effects == [(BOB, 1)]  # Alice's write rolled back with its savepoint
    assert kit.state.progress[ALICE] == Progress(last_seq=0, blocked_event_id=a1.event_id)
    assert list(kit.state.parked) == [a2.event_id]


async def test_a_second_copy_of_a_refused_event_in_the_same_batch_is_a_duplicate(
    kit: Harness,
) -> None:
    a1 = message(ALICE, 1)
    kit.handler.fail(a1, PermanentError("koseki 400"))
    outcomes = await kit.processor.consume_batch([a1, a1])
    assert [(o.decision, o.verdict) for o in outcomes] == [
        (Decision.HANDLE, Verdict.DEAD),
        (Decision.DUPLICATE, Verdict.ACK),  # one copy is dead-lettered, not two
    ]
    assert kit.state.effects == []  # not applied by the second copy either


async def test_an_unexpected_handler_error_requeues_only_that_message(kit: Harness) -> None:
    a1, a2, b1 = message(ALICE, 1), message(ALICE, 2), message(BOB, 1)
    kit.handler.fail(a1, RuntimeError("bug"))
    outcomes = await kit.processor.consume_batch([a1, a2, b1])
    assert outcomes[0].verdict is Verdict.REQUEUE
    assert outcomes[1].decision is Decision.PARK_GAP  # waits for a1's redelivery
    assert outcomes[2].applied
    assert kit.state.effects == [(BOB, 1)]
    assert kit.state.progress[ALICE] == Progress(last_seq=0)

    assert (await kit.deliver(a1)).applied  # redelivered: applied, a2 drained behind it
    assert [e for e in kit.state.effects if e[0] == ALICE] == [(ALICE, 1), (ALICE, 2)]


async def test_a_batch_tells_which_applied_people_have_parked_messages(kit: Harness) -> None:
    a1, a3, b1 = message(ALICE, 1), message(ALICE, 3), message(BOB, 1)
    await kit.processor.consume(a3)
    outcomes = await kit.processor.consume_batch([a1, b1])
    assert [o.should_drain for o in outcomes] == [True, False]
