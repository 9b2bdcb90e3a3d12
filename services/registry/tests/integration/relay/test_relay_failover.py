"""The outbox relay's failover, crash recovery and per-person order, on real PostgreSQL and RabbitMQ
(the sandbox and inbox of conftest.py and harness.py, as in test_relay.py).

What is proven:

- standby takeover: of two relays exactly one leads; when it dies the other publishes;
- a crash between confirm and mark republishes (same event ids, same per-person order, no loss);
- 20 quick changes of one person arrive at cs.events with seq strictly increasing.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from jumin_testing.waiting import eventually
from registry.adapters.outbox import Outbox

from ..helpers import (
    OTHER_WARD_ADDRESS,
    WARD_ADDRESS,
    TokenFactory,
    enter_and_approve,
    family,
    juminhyo_code,
    move_in,
    move_within_ward,
    person,
)
from .harness import (
    POLL_SECONDS,
    Inbox,
    Received,
    StartRelay,
    all_published,
    arrived,
    first_copies,
    outbox_rows,
)


async def test_a_standby_relay_takes_over_when_the_leader_dies(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
) -> None:
    await inbox.listen("certificates.events")
    first, first_task = start_relay()
    second, second_task = start_relay()
    await eventually(lambda: first.is_leader or second.is_leader, what="a leader")
    await asyncio.sleep(3 * POLL_SECONDS)  # the standby has tried the lock a few times by now
    assert [first.is_leader, second.is_leader].count(True) == 1
    leader, leader_task, standby = (
        (first, first_task, second) if first.is_leader else (second, second_task, first)
    )

    before = await enter_and_approve(client, token, move_in(person()))
    await eventually(
        all_published(owner_connection, [before["change_id"]]), what="the first change"
    )
    assert leader.is_leader
    assert not standby.is_leader

    leader_task.cancel()  # its connection closes, which releases the advisory lock
    with pytest.raises(asyncio.CancelledError):
        await leader_task
    assert not leader.is_leader, "a stopped relay no longer claims leadership"

    after = [
        await enter_and_approve(
            client,
            token,
            move_in(
                person("佐藤", given, "サトウ", kana, birth_date=f"199{i}-02-03"),
                address=OTHER_WARD_ADDRESS,
            ),
        )
        for i, (given, kana) in enumerate([("次郎", "ジロウ"), ("三郎", "サブロウ")])
    ]
    after_ids = [c["change_id"] for c in after]
    started = time.monotonic()
    await eventually(
        all_published(owner_connection, after_ids), what="the standby to publish", within=10.0
    )
    took = time.monotonic() - started
    assert standby.is_leader
    assert [first.is_leader, second.is_leader].count(True) == 1
    assert took < 5 * POLL_SECONDS + 2.0, f"takeover took {took:.1f}s"
    rows = await outbox_rows(owner_connection, after_ids)
    await eventually(arrived(inbox, rows, ["certificates.events"]), what="the standby's messages")
    assert len(inbox.of(after_ids, "certificates.events")) == 2


async def test_a_crash_between_confirm_and_mark_republishes_in_order_and_loses_nothing(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Three changes per person before the relay starts, so one batch holds seq 1..3 of each.
    move = await enter_and_approve(client, token, move_in(*family()))
    people = sorted(move["subjects"])
    changes = [move]
    for i, address in enumerate([OTHER_WARD_ADDRESS, WARD_ADDRESS]):
        day = date(2025, 1, 10) + timedelta(days=i)
        body = move_within_ward(
            people, address=address, occurred_on=day.isoformat(), notified_on=day.isoformat()
        )
        changes.append(await enter_and_approve(client, token, body))
    change_ids = [c["change_id"] for c in changes]

    real_mark = Outbox.mark_published
    calls = 0

    async def crash_once(self: Outbox, ids: list[int], *, at: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionResetError("the relay died after the broker confirmed")
        await real_mark(self, ids, at=at)

    monkeypatch.setattr(Outbox, "mark_published", crash_once)
    await inbox.listen("cs.events")
    await inbox.listen("certificates.events")
    start_relay()

    await eventually(all_published(owner_connection, change_ids), what="the rows marked published")
    assert calls >= 2
    rows = await outbox_rows(owner_connection, change_ids)
    queues = ("cs.events", "certificates.events")
    expected = {r["event_id"] for r in rows if r["recipient"] in {"cs", "certificates"}}

    def twice() -> bool:
        counts: dict[UUID, int] = defaultdict(int)
        for m in inbox.of(change_ids):
            counts[m.event_id] += 1
        return all(counts[e] >= 2 for e in expected)

    await eventually(twice, what="every message to arrive twice")
    await asyncio.sleep(3 * POLL_SECONDS)  # nothing more should come
    for queue in queues:
        messages = inbox.of(change_ids, queue)
        assert {m.event_id for m in messages} == {
            r["event_id"] for r in rows if r["recipient"] == queue.removesuffix(".events")
        }
        by_person: dict[str, list[Received]] = defaultdict(list)
        for m in messages:
            by_person[m.envelope.person_key].append(m)
        for key, delivered in by_person.items():
            ids = [m.event_id for m in delivered]
            half = len(ids) // 2
            assert len(ids) == 2 * half, (queue, key, "every message exactly twice")
            first, second = ids[:half], ids[half:]
            assert first == second, (queue, key, "the republished copies in the same order")
            assert [m.envelope.seq for m in delivered[:half]] == list(range(1, half + 1))


async def test_twenty_quick_changes_of_one_person_arrive_in_seq_order(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
) -> None:
    await inbox.listen("cs.events")
    start_relay()
    coded = person(juminhyo_code=juminhyo_code("3200000001"))  # CS hears only of a coded person
    move = await enter_and_approve(client, token, move_in(coded))
    changes = [move]
    for i in range(19):  # 転居 back and forth, each approved right after the last
        day = date(2025, 1, 1) + timedelta(days=i)
        body = move_within_ward(
            move["subjects"],
            address=OTHER_WARD_ADDRESS if i % 2 == 0 else WARD_ADDRESS,
            occurred_on=day.isoformat(),
            notified_on=day.isoformat(),
        )
        changes.append(await enter_and_approve(client, token, body))
    change_ids = [c["change_id"] for c in changes]

    await eventually(all_published(owner_connection, change_ids), what="the rows marked published")
    rows = await outbox_rows(owner_connection, change_ids)
    await eventually(arrived(inbox, rows, ["cs.events"]), what="every cs message")
    identity = first_copies(inbox.of(change_ids, "cs.events"))
    assert len({m.envelope.person_key for m in identity}) == 1
    assert [m.envelope.seq for m in identity] == list(range(1, 21))
    assert [str(m.envelope.change_id) for m in identity] == change_ids  # one per change, in order
