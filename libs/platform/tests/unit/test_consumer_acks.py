"""Settling deliveries: one multiple-ack for a batch, but never over a delivery not meant."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from faststream.rabbit.message import RabbitMessage
from jumin_platform.consumer.acks import MAX_TRACKED, AckLedger, Settler


class Channel:
    """Record what the kit tells the broker on one AMQP channel, checked as RabbitMQ would.

    A frame naming a tag that is no longer unsettled (acked twice, or covered by an earlier
    multiple-ack) is what makes the broker close the channel: it is kept in `errors`.
    """

    def __init__(self, *, fail: bool = False, delay: float = 0.0, delivered: int = 0) -> None:
        self.frames: list[tuple[str, int, bool]] = []
        self.fail = fail
        self.delay = delay
        self.unsettled = set(range(1, delivered + 1))
        self.errors: list[tuple[str, int]] = []

    def receive(self, method: str, tag: int, multiple: bool) -> None:
        self.frames.append((method, tag, multiple))
        if not self.unsettled:
            return  # not checking (the test did not say what was delivered)
        if tag not in self.unsettled:
            self.errors.append((method, tag))
        covered = {t for t in self.unsettled if t <= tag} if multiple else {tag}
        self.unsettled -= covered


@dataclass
class Raw:
    channel: Channel
    delivery_tag: int


@dataclass
class Delivery:
    """Stand in for FastStream's RabbitMessage (what the settler calls)."""

    raw_message: Raw
    calls: list[str] = field(default_factory=list)

    async def ack(self, multiple: bool = False) -> None:
        await self._send("ack", multiple)

    async def nack(self, requeue: bool = True) -> None:
        await self._send("nack", False)

    async def reject(self, requeue: bool = False) -> None:
        await self._send("reject", False)

    async def _send(self, method: str, multiple: bool) -> None:
        channel = self.raw_message.channel
        await asyncio.sleep(channel.delay)
        if channel.fail:
            raise ConnectionError("channel closed")
        channel.receive(method, self.raw_message.delivery_tag, multiple)


def deliveries(channel: Channel, *tags: int) -> list[RabbitMessage]:
    return [cast(RabbitMessage, Delivery(Raw(channel, tag))) for tag in tags]


# ---- the ledger ----------------------------------------------------------------------------------


def test_a_multiple_ack_is_allowed_only_over_settled_or_acked_tags() -> None:
    ledger = AckLedger()
    assert ledger.covers(3, {1, 2, 3})
    assert not ledger.covers(3, {2, 3})  # tag 1 is still in flight
    ledger.settle(1)
    assert ledger.covers(3, {2, 3})
    assert ledger.floor == 1


def test_tags_settled_out_of_order_raise_the_floor_once_the_gap_closes() -> None:
    ledger = AckLedger()
    for tag in (2, 3, 5):
        ledger.settle(tag)
    assert ledger.floor == 0
    ledger.settle(1)
    assert ledger.floor == 3
    ledger.settle_through(4)
    assert ledger.floor == 5


def test_a_tag_never_settled_stops_multiple_acks_without_growing_for_ever() -> None:
    ledger = AckLedger()
    for tag in range(2, MAX_TRACKED + 3):
        ledger.settle(tag)
    assert ledger.gave_up
    assert not ledger.covers(MAX_TRACKED + 5, {MAX_TRACKED + 4, MAX_TRACKED + 5})


# ---- the settler ---------------------------------------------------------------------------------


async def test_acks_ready_together_go_out_as_one_multiple_ack() -> None:
    channel = Channel()
    settler = Settler()

    await asyncio.gather(*(settler.ack(d) for d in deliveries(channel, 1, 2, 3, 4)))

    assert channel.frames == [("ack", 4, True)]


async def test_an_unsettled_earlier_delivery_is_not_swept_up_by_a_later_batch() -> None:
    channel = Channel()
    settler = Settler()
    waiting, *batch = deliveries(channel, 1, 2, 3)  # 1 waits to be returned to the queue

    await asyncio.gather(*(settler.ack(d) for d in batch))
    await settler.reject(waiting)
    later = deliveries(channel, 4, 5)
    await asyncio.gather(*(settler.ack(d) for d in later))

    assert channel.frames == [
        ("ack", 2, False),
        ("ack", 3, False),
        ("reject", 1, False),
        ("ack", 5, True),  # 1–3 are settled now: 4 and 5 in one
    ]


async def test_a_dead_letter_in_the_batch_is_nacked_on_its_own_and_the_rest_acked_in_one() -> None:
    channel = Channel()
    settler = Settler()
    first, dead, third, fourth = deliveries(channel, 1, 2, 3, 4)

    await settler.nack(dead)
    await asyncio.gather(*(settler.ack(d) for d in (first, third, fourth)))

    assert channel.frames == [("nack", 2, False), ("ack", 4, True)]


async def test_channels_are_numbered_apart() -> None:
    one, two = Channel(), Channel()
    settler = Settler()

    await asyncio.gather(*(settler.ack(d) for d in [*deliveries(one, 1, 2), *deliveries(two, 1)]))

    assert one.frames == [("ack", 2, True)]
    assert two.frames == [("ack", 1, False)]


async def test_a_failed_ack_fails_every_delivery_it_was_to_settle() -> None:
    channel = Channel(fail=True)
    settler = Settler()

    results: list[Any] = await asyncio.gather(
        *(settler.ack(d) for d in deliveries(channel, 1, 2, 3)), return_exceptions=True
    )

    assert [type(r) for r in results] == [ConnectionError] * 3


@pytest.mark.parametrize("tags", [(1,), (3,)])
async def test_a_lone_ack_is_a_plain_ack(tags: tuple[int, ...]) -> None:
    channel = Channel()
    settler = Settler()

    await settler.ack(deliveries(channel, *tags)[0])

    assert channel.frames == [("ack", tags[0], False)]


async def test_a_multiple_ack_never_overtakes_a_single_ack_of_a_tag_it_covers() -> None:
    # 2 and 3 are acked one by one (1 is still out); while they are on their way, 1 is returned
    # to the queue and 4 and 5 are acked: their multiple-ack must leave after the ack of 3.
    channel = Channel(delay=0.01, delivered=5)
    settler = Settler()
    one, two, three, four, five = deliveries(channel, 1, 2, 3, 4, 5)

    first = asyncio.gather(settler.ack(two), settler.ack(three))
    await asyncio.sleep(0.005)  # the ack of 2 is on its way
    returned = asyncio.create_task(settler.reject(one))
    second = asyncio.gather(settler.ack(four), settler.ack(five))
    await asyncio.gather(first, returned, second)

    assert channel.errors == []
    assert channel.unsettled == set()
    assert channel.frames[-1] == ("ack", 5, True)
