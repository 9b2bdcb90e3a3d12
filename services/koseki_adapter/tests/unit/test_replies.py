"""How the 戸籍附票システム's answers read, against the real simulator app in-process: accepted,
replayed under the same key, 照合不一致 and the other refusals permanent, faults transient."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from jumin_contracts.codes import Sex
from jumin_platform.deliveries import ReplyClass
from koseki_adapter.domain.fuhyo_notices import notice_key, to_outgoing

from ..builders import fuhyo_notice, juminhyo_code, koseki, member
from ..simulated import Simulated, simulated

HANAKO = juminhyo_code(2)


@pytest.fixture
async def system() -> AsyncIterator[Simulated]:
    async with simulated() as s:
        await s.seed(koseki(member(HANAKO, "花子")))
        yield s


async def test_an_accepted_notice_has_a_receipt_and_the_same_key_replays_it(
    system: Simulated,
) -> None:
    event = uuid4()
    message = to_outgoing(fuhyo_notice())

    first = await system.fuhyo.send(message, event_id=event, key=notice_key(event))
    again = await system.fuhyo.send(message, event_id=event, key=notice_key(event))

    assert (first.status, first.kind, first.replayed) == (201, ReplyClass.ACCEPTED, False)
    assert (again.status, again.kind, again.replayed) == (200, ReplyClass.ACCEPTED, True)
    assert again.receipt_no == first.receipt_no
    assert (await system.counts())[str(event)] == {"accepted": 1, "attempts": 2}


async def test_a_mismatch_with_the_koseki_is_permanent_and_names_the_codes(
    system: Simulated,
) -> None:
    event = uuid4()
    message = to_outgoing(fuhyo_notice(given_name="華子", sex=Sex.MALE))

    reply = await system.fuhyo.send(message, event_id=event, key=notice_key(event))

    assert (reply.status, reply.kind, reply.code) == (422, ReplyClass.PERMANENT, "E-NAME-MISMATCH")
    assert reply.errors == ("E-NAME-MISMATCH", "E-SEX-MISMATCH")
    assert reply.receipt_no  # received and stored, 附票 unchanged


async def test_the_same_key_with_another_notice_is_permanent(system: Simulated) -> None:
    event = uuid4()
    key = notice_key(event)
    await system.fuhyo.send(to_outgoing(fuhyo_notice()), event_id=event, key=key)

    reply = await system.fuhyo.send(
        to_outgoing(fuhyo_notice(address="東京都新宿区四谷一丁目1番")), event_id=event, key=key
    )

    assert (reply.status, reply.code, reply.kind) == (409, "E-KEY-REUSED", ReplyClass.PERMANENT)


async def test_a_malformed_notice_is_permanent_and_names_the_field(system: Simulated) -> None:
    message = to_outgoing(fuhyo_notice())
    broken = type(message)(message.type, {**message.body, "birth_date": "19820231"})

    reply = await system.fuhyo.send(broken, event_id=uuid4(), key=uuid4())

    assert (reply.status, reply.code, reply.kind) == (400, "E-FORMAT", ReplyClass.PERMANENT)
    assert "birth_date" in reply.errors


@pytest.mark.parametrize("faults", [{"down": True}, {"error_rate": 1.0}, {"lost_reply_rate": 1.0}])
async def test_a_system_down_busy_or_losing_its_reply_is_transient(
    system: Simulated, faults: dict[str, object]
) -> None:
    await system.faults(**faults)
    event = uuid4()

    reply = await system.fuhyo.send(
        to_outgoing(fuhyo_notice()), event_id=event, key=notice_key(event)
    )

    assert (reply.status, reply.kind) == (503, ReplyClass.TRANSIENT)
