"""The outbox relay on real PostgreSQL and RabbitMQ: approval → outbox row → confirmed message.

Each test runs the relay (`OutboxRelay`, configured from the test settings) as an asyncio task and
reads the recipients' queues as the recipients' own broker users, on a throwaway vhost of its own
(conftest.py: every recipient is routed, as once all their services exist; the registry projects
for all of them too). The queues are purged first and only messages of changes this test approved
are asserted on. Failover, crash and ordering: test_relay_failover.py.

What is proven:

- a family's 国内転入 reaches 住基CS, 証明書 and the 戸籍附票 system: message_id = event id,
  persistent, the envelope and its extra="forbid" payload parse, the person key is opaque, seq
  starts at 1 per person, the rows are marked published; 戸籍附票 only for 管内本籍;
- a pending (unapproved) change leaves no outbox row and no message;
- a 国内転出 sends CS one 転出証明書情報 per person who moves out, once approved and not before.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import aio_pika
import aio_pika.abc
import httpx
from jumin_contracts.codes import ChangeKind
from jumin_contracts.envelope import parse_payload
from jumin_contracts.messages import MESSAGE_MODELS, CsMoveOutCertificate
from jumin_platform.topology import PERSON_KEY_HEADER
from jumin_testing.waiting import eventually

from ..helpers import (
    OTHER_WARD_ADDRESS,
    REVIEWER,
    WARD_ADDRESS_TEXT,
    TokenFactory,
    approve,
    auth,
    by_given_name,
    enter_and_approve,
    family,
    move_in,
    person,
    submit,
)
from .harness import (
    QUEUE_USERS,
    Inbox,
    StartRelay,
    all_published,
    arrived,
    outbox_rows,
    seqs_by_person,
)

OUTSIDE_HONSEKI = "大阪府大阪市北区中之島一丁目3番地"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
MOVE_OUT_DESTINATION = "東京都中野区中野一丁目1番1号"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


# ---- tests ---------------------------------------------------------------------------------------
async def test_an_approved_family_move_in_is_published_to_its_recipients(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
) -> None:
    for queue in ("cs.events", "certificates.events", "koseki.events"):
        await inbox.listen(queue)
    start_relay()
    members = family()
    members[2] = {**members[2], "honseki": OUTSIDE_HONSEKI}  # 一郎's 本籍 is outside the ward
    pending = await submit(client, token, move_in(*members))
    response = await client.post(  # the reviewer's request carries a W3C trace context
        f"/changes/{pending['change_id']}/approve",
        headers={**auth(token, REVIEWER, "reviewer"), "traceparent": TRACEPARENT},
    )
    assert response.status_code == 200, response.text
    change = response.json()
    change_id = change["change_id"]
    atena_nos = set(change["subjects"])
    assert len(atena_nos) == 3

    await eventually(all_published(owner_connection, [change_id]), what="the rows marked published")
    rows = await outbox_rows(owner_connection, [change_id])
    queues = ("cs.events", "certificates.events", "koseki.events")
    await eventually(arrived(inbox, rows, queues), what="every message of the move-in")

    messages = inbox.of([change_id])
    assert {m.event_id for m in messages} == {
        r["event_id"] for r in rows if r["recipient"] in {"cs", "certificates", "koseki"}
    }
    assert len(messages) == len({m.event_id for m in messages}), "no duplicates in a calm run"
    for m in messages:
        assert m.message_id == str(m.envelope.event_id)
        assert m.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
        assert m.headers[PERSON_KEY_HEADER] == m.envelope.person_key
        assert m.envelope.schema_id == f"{m.routing_key}@1"
        assert m.queue == m.routing_key.split(".")[0] + ".events"
        parse_payload(m.envelope, MESSAGE_MODELS[m.routing_key])  # extra="forbid" models
        assert m.envelope.person_key not in atena_nos
        assert not any(atena_no in m.envelope.person_key for atena_no in atena_nos)
        assert str(m.envelope.change_id) == change_id
        assert m.envelope.kind.value == "domestic_move_in"
        # the publish continues the approving request's trace (W3C trace context headers)
        assert m.headers["traceparent"].split("-")[1] == TRACE_ID

    certificates = inbox.of([change_id], "certificates.events")
    record_of = {m.envelope.person_key: m.envelope.payload for m in certificates}
    assert {p["atena_no"] for p in record_of.values()} == atena_nos  # one record per person
    given_name = {key: payload["given_name"] for key, payload in record_of.items()}
    for queue in queues:
        for key, seqs in seqs_by_person(inbox.of([change_id], queue)).items():
            assert seqs == list(range(1, len(seqs) + 1)), (queue, given_name[key], seqs)

    koseki = inbox.of([change_id], "koseki.events")
    assert sorted(given_name[m.envelope.person_key] for m in koseki) == ["太郎", "花子"]
    assert all(m.envelope.payload["honseki"].startswith("東京都新宿区") for m in koseki)
    cs = inbox.of([change_id], "cs.events")
    assert sorted(
        given_name[m.envelope.person_key] for m in cs if m.routing_key == "cs.identity"
    ) == [
        "一郎",
        "太郎",
        "花子",
    ]
    fuhyo = [m for m in cs if m.routing_key == "cs.fuhyo_notice"]
    assert [given_name[m.envelope.person_key] for m in fuhyo] == ["一郎"]
    assert fuhyo[0].envelope.payload["honseki"] == OUTSIDE_HONSEKI


async def test_a_pending_change_writes_no_outbox_row_and_sends_nothing(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
) -> None:
    for queue in QUEUE_USERS:
        await inbox.listen(queue)
    start_relay()
    pending = await submit(client, token, move_in(*family()))
    assert await owner_connection.fetchval("SELECT count(*) FROM registry.outbox") == 0

    # A later approved change is the marker: once it has arrived, the relay had its chance.
    marker = await enter_and_approve(
        client,
        token,
        move_in(person("佐藤", "次郎", "サトウ", "ジロウ"), address=OTHER_WARD_ADDRESS),
    )
    await eventually(
        all_published(owner_connection, [marker["change_id"]]), what="the marker published"
    )
    rows = await outbox_rows(owner_connection, [marker["change_id"]])
    await eventually(arrived(inbox, rows, QUEUE_USERS), what="the marker's messages")

    assert await outbox_rows(owner_connection, [pending["change_id"]]) == []
    assert inbox.of([pending["change_id"]]) == []
    counts = await owner_connection.fetchrow(
        "SELECT count(*) AS n, count(DISTINCT change_id) AS changes FROM registry.outbox"
    )
    assert counts["changes"] == 1
    assert counts["n"] == len(rows)


async def test_a_domestic_move_out_sends_cs_its_certificate_once_approved_and_not_before(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    inbox: Inbox,
    start_relay: StartRelay,
) -> None:
    await inbox.listen("cs.events")
    start_relay()
    members = await by_given_name(
        client, token, await enter_and_approve(client, token, move_in(*family()))
    )
    planned = date.today() + timedelta(days=10)  # filed in advance: the 転出予定日 lies ahead
    pending = await submit(
        client,
        token,
        {
            "kind": "domestic_move_out",
            "occurred_on": planned.isoformat(),
            "notified_on": date.today().isoformat(),
            "atena_nos": [members["太郎"]["atena_no"], members["花子"]["atena_no"]],
            "destination": MOVE_OUT_DESTINATION,
        },
    )
    change_id = pending["change_id"]
    assert await outbox_rows(owner_connection, [change_id]) == [], "仮登録 reaches nobody"

    await approve(client, token, change_id)
    await eventually(all_published(owner_connection, [change_id]), what="the move-out published")
    rows = await outbox_rows(owner_connection, [change_id])
    await eventually(arrived(inbox, rows, ["cs.events"]), what="the move-out's cs messages")

    certificates = [
        m for m in inbox.of([change_id], "cs.events") if m.routing_key == "cs.moveout_certificate"
    ]
    payloads = [parse_payload(m.envelope, CsMoveOutCertificate) for m in certificates]
    assert sorted(p.given_name for p in payloads) == ["太郎", "花子"], "not 一郎, who stays"
    assert {m.envelope.kind for m in certificates} == {ChangeKind.DOMESTIC_MOVE_OUT}
    for payload in payloads:
        assert payload.destination == MOVE_OUT_DESTINATION
        assert payload.planned_on == planned
        assert payload.address == WARD_ADDRESS_TEXT
        assert payload.head_name == "山田\u3000太郎"
    identity_seq = {
        m.envelope.person_key: m.envelope.seq
        for m in inbox.of([change_id], "cs.events")
        if m.routing_key == "cs.identity"
    }
    for m in certificates:  # one per-person sequence for all of CS's messages
        assert m.envelope.seq == identity_seq[m.envelope.person_key] + 1
