"""The consumer kit on the real broker and database, as an adapter runs it.

Proven, consuming `koseki.events` as `jumin_koseki_adapter` (no configure rights):

- a message delivered three times is applied once (inbox, in the handler's transaction);
- seq 2 arriving before seq 1 waits in `parked` and is applied right after seq 1;
- a transient failure goes through the 1 s wait queue and then succeeds, its first write undone;
- a permanent failure is dead-lettered into `koseki.dead` and blocks that person: their later
  messages are parked while another person's are applied; an operator's resend clears it and the
  parked ones follow in order;
- a payload with a field the recipient may not get (extra="forbid") is dead-lettered; an operator's
  skip, with a reason, moves the person past it and is recorded.
"""

from __future__ import annotations

from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
import httpx
from jumin_platform.consumer import ConsumerKit, PermanentError, TransientError
from jumin_platform.problems import PROBLEM_MEDIA_TYPE
from jumin_testing.waiting import eventually

from .conftest import SCHEMA, FakeAdapter, Registry, envelope, person

Db: TypeAlias = "asyncpg.Connection[Any]"


async def deliveries(db: Db, person_key: str) -> list[int]:
    """The seqs the adapter committed for a person, in commit order."""
    rows = await db.fetch(
        f"SELECT seq FROM {SCHEMA}.deliveries WHERE person_key = $1 ORDER BY at", person_key
    )
    return [row["seq"] for row in rows]


async def dead_ids(api: httpx.AsyncClient) -> dict[UUID, dict[str, Any]]:
    response = await api.get("/operator/dead")
    assert response.status_code == 200, response.text
    return {UUID(item["event_id"]): item for item in response.json() if item["event_id"]}


async def parked_seqs(api: httpx.AsyncClient, person_key: str) -> list[int]:
    response = await api.get("/operator/parked")
    assert response.status_code == 200, response.text
    return [item["seq"] for item in response.json() if item["person_key"] == person_key]


async def test_a_redelivered_message_is_applied_once(
    kit: ConsumerKit, registry: Registry, adapter: FakeAdapter, db: Db
) -> None:
    alice = person()
    first, second = envelope(alice, 1), envelope(alice, 2)
    for _ in range(3):
        await registry.publish(first)
    await registry.publish(second)

    await eventually(lambda: deliveries(db, alice), until=lambda s: s == [1, 2], what="1, 2")
    inbox = await db.fetchval(
        f"SELECT count(*) FROM {SCHEMA}.inbox WHERE event_id = $1", first.event_id
    )
    assert inbox == 1
    assert adapter.calls.count((alice, 1)) == 1


async def test_out_of_order_messages_are_applied_in_order(
    kit: ConsumerKit, registry: Registry, db: Db
) -> None:
    alice = person()
    second = envelope(alice, 2)
    await registry.publish(second)
    await eventually(
        lambda: db.fetchval(
            f"SELECT reason FROM {SCHEMA}.parked WHERE event_id = $1", second.event_id
        ),
        until=lambda reason: reason == "gap",
        what="seq 2 parked for the gap",
    )
    await registry.publish(envelope(alice, 1))

    assert await eventually(
        lambda: deliveries(db, alice), until=lambda s: len(s) == 2, what="both"
    ) == [1, 2]
    assert (
        await db.fetchval(f"SELECT count(*) FROM {SCHEMA}.parked WHERE person_key = $1", alice) == 0
    )


async def test_a_transient_failure_is_retried_then_succeeds(
    kit: ConsumerKit, registry: Registry, adapter: FakeAdapter, db: Db
) -> None:
    alice = person()
    flaky = envelope(alice, 1)
    adapter.fail(flaky, TransientError("戸籍附票システム timeout"))
    await registry.publish(flaky)

    await eventually(lambda: deliveries(db, alice), until=lambda s: s == [1], what="retried")
    assert adapter.calls == [(alice, 1), (alice, 1)]  # the first write was rolled back


async def test_permanent_failure_parks_the_person_until_an_operator_resends(
    kit: ConsumerKit,
    registry: Registry,
    adapter: FakeAdapter,
    db: Db,
    operator_api: httpx.AsyncClient,
) -> None:
    alice, bob = person(), person()
    a1, a2, a3, b1 = envelope(alice, 1), envelope(alice, 2), envelope(alice, 3), envelope(bob, 1)
    adapter.fail(a1, PermanentError("koseki 400: 本籍 not found (code E102)"))
    await registry.publish(a1)
    dead = await eventually(
        lambda: dead_ids(operator_api), until=lambda d: a1.event_id in d, what="a1 dead"
    )
    assert dead[a1.event_id] | {"died_at": None} == {
        "event_id": str(a1.event_id),
        "person_key": alice,
        "seq": 1,
        "routing_key": "koseki.fuhyo_notice",
        "reason": "rejected",
        "detail": "koseki 400: 本籍 not found (code E102)",
        "queue": "koseki.events",
        "died_at": None,
    }

    for message in (a2, a3, b1):
        await registry.publish(message)
    await eventually(lambda: deliveries(db, bob), until=lambda s: s == [1], what="bob flows")
    await eventually(
        lambda: parked_seqs(operator_api, alice), until=lambda s: s == [2, 3], what="parked"
    )
    blocked = (await operator_api.get("/operator/blocked")).json()
    assert [b["blocked_event_id"] for b in blocked if b["person_key"] == alice] == [
        str(a1.event_id)
    ]
    assert await deliveries(db, alice) == []

    response = await operator_api.post(f"/operator/resend/{a1.event_id}", json={"reason": "fixed"})
    assert response.status_code == 202, response.text

    assert await eventually(
        lambda: deliveries(db, alice), until=lambda s: len(s) == 3, what="alice follows"
    ) == [1, 2, 3]
    assert a1.event_id not in await dead_ids(operator_api)
    assert await parked_seqs(operator_api, alice) == []
    action = await db.fetchrow(
        f"SELECT operator, action, person_key, seq, reason FROM {SCHEMA}.operator_actions "
        "WHERE event_id = $1",
        a1.event_id,
    )
    assert dict(action or {}) == {
        "operator": "ops-yamada",
        "action": "resend",
        "person_key": alice,
        "seq": 1,
        "reason": "fixed",
    }


async def test_an_operator_skips_a_forbidden_payload_with_a_reason(
    kit: ConsumerKit,
    registry: Registry,
    adapter: FakeAdapter,
    db: Db,
    operator_api: httpx.AsyncClient,
) -> None:
    carol = person()
    leaky, follower = envelope(carol, 1, my_number="123456789018"), envelope(carol, 2)
    await registry.publish(leaky)
    dead = await eventually(
        lambda: dead_ids(operator_api), until=lambda d: leaky.event_id in d, what="dead"
    )
    assert dead[leaky.event_id]["detail"] == "payload invalid — my_number: extra_forbidden"
    await registry.publish(follower)
    await eventually(
        lambda: parked_seqs(operator_api, carol), until=lambda s: s == [2], what="parked"
    )

    missing = await operator_api.post(f"/operator/skip/{leaky.event_id}", json={})
    assert missing.status_code == 422
    assert missing.headers["content-type"] == PROBLEM_MEDIA_TYPE
    unknown = await operator_api.post(f"/operator/skip/{follower.change_id}", json={"reason": "x"})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == PROBLEM_MEDIA_TYPE

    reason = "登録側で訂正済み (corrected at the registry; CS notified by hand)"
    response = await operator_api.post(f"/operator/skip/{leaky.event_id}", json={"reason": reason})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "event_id": str(leaky.event_id),
        "action": "skip",
        "person_key": carol,
        "seq": 1,
    }

    assert await deliveries(db, carol) == [2]  # applied during the skip itself
    assert adapter.calls == [(carol, 2)]
    assert leaky.event_id not in await dead_ids(operator_api)
    row = await db.fetchrow(
        f"SELECT operator, action, reason FROM {SCHEMA}.operator_actions WHERE event_id = $1",
        leaky.event_id,
    )
    assert dict(row or {}) == {"operator": "ops-yamada", "action": "skip", "reason": reason}
    outcome = await db.fetchval(
        f"SELECT outcome FROM {SCHEMA}.inbox WHERE event_id = $1", leaky.event_id
    )
    assert outcome == "skipped"


async def test_an_unreadable_message_is_dead_lettered_and_cannot_be_skipped(
    kit: ConsumerKit, registry: Registry, operator_api: httpx.AsyncClient
) -> None:
    dave = person()
    garbled = envelope(dave, 1)
    await registry.publish(garbled, body=b'{"event_id": "truncated')
    dead = await eventually(
        lambda: dead_ids(operator_api), until=lambda d: garbled.event_id in d, what="dead"
    )
    item = dead[garbled.event_id]
    assert (item["person_key"], item["seq"], item["reason"]) == (dave, None, "rejected")
    # Listing again still shows it: browsing gives the messages back.
    assert garbled.event_id in await dead_ids(operator_api)

    response = await operator_api.post(f"/operator/skip/{garbled.event_id}", json={"reason": "r"})
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert "can be resent, but not skipped" in response.json()["detail"]
    assert garbled.event_id in await dead_ids(operator_api)


async def test_a_parked_message_failing_for_good_is_dead_lettered_by_the_kit(
    kit: ConsumerKit,
    registry: Registry,
    adapter: FakeAdapter,
    db: Db,
    operator_api: httpx.AsyncClient,
) -> None:
    erin = person()
    first, second = envelope(erin, 1), envelope(erin, 2)
    adapter.fail(second, PermanentError("koseki 409: 附票 already closed"))
    await registry.publish(second)
    await eventually(lambda: parked_seqs(operator_api, erin), until=lambda s: s == [2], what="park")
    await registry.publish(first)

    dead = await eventually(
        lambda: dead_ids(operator_api), until=lambda d: second.event_id in d, what="dead"
    )
    # Published to jumin.dlx by the kit (a parked message has no delivery to reject).
    assert (dead[second.event_id]["reason"], dead[second.event_id]["detail"]) == (
        "consumer",
        "koseki 409: 附票 already closed",
    )
    assert await deliveries(db, erin) == [1]
    assert await parked_seqs(operator_api, erin) == []
    blocked = (await operator_api.get("/operator/blocked")).json()
    assert [b["blocked_event_id"] for b in blocked if b["person_key"] == erin] == [
        str(second.event_id)
    ]
