"""The dispatcher's decisions over an in-memory schedule, with a clock the test moves."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import cast

from jumin_platform.deliveries import DeliveryStatus
from moj_notify.domain.schedule import NoticeStatus
from moj_notify.service_layer.dispatch import Dispatcher
from moj_notify.service_layer.unit_of_work import UnitsOfWork

from .fake_uow import FakeMinistry, FakeUnitOfWork, Store


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # 10:00 in Japan

    def __call__(self) -> datetime:
        return self.now


def _setup(*answers: int | None) -> tuple[Store, FakeMinistry, Clock, Dispatcher]:
    store, ministry, clock = Store(), FakeMinistry(list(answers)), Clock()
    dispatcher = Dispatcher(
        uow=cast(UnitsOfWork, FakeUnitOfWork(store)),
        sender=ministry,
        clock=clock,
        retry_first=2.0,
        retry_most=60.0,
    )
    return store, ministry, clock, dispatcher


def _key() -> uuid.UUID:
    return uuid.uuid4()


def _status(store: Store) -> dict[int, NoticeStatus]:
    return {n.id: n.status for n in store.notices.values()}


async def test_a_due_notice_is_sent_once_and_recorded() -> None:
    store, ministry, _, dispatcher = _setup()
    key = _key()
    store.schedule(event_id=uuid.uuid4(), person_key="a", idempotency_key=key)
    assert await dispatcher.dispatch_due() is None
    assert [k for _, k, _ in ministry.received] == [key]
    assert _status(store) == {1: NoticeStatus.SENT}
    (record,) = store.deliveries.values()
    assert record.status is DeliveryStatus.SENT
    assert store.notices[1].delivery_id == record.id
    assert await dispatcher.dispatch_due() is None
    assert len(ministry.received) == 1


async def test_a_persons_notices_go_in_seq_order_however_they_arrived() -> None:
    store, ministry, _, dispatcher = _setup()
    for seq in (3, 1, 2):
        store.schedule(event_id=uuid.uuid4(), person_key="a", seq=seq, idempotency_key=_key())
    await dispatcher.dispatch_due()
    assert [body["n"] for _, _, body in ministry.received] == [2, 3, 1]  # ids of seq 1, 2, 3


async def test_a_planned_day_ahead_holds_the_person_until_the_clock_reaches_it() -> None:
    store, ministry, clock, dispatcher = _setup()
    store.schedule(
        event_id=uuid.uuid4(),
        person_key="a",
        seq=1,
        not_before=date(2026, 12, 10),
        idempotency_key=_key(),
    )
    store.schedule(event_id=uuid.uuid4(), person_key="a", seq=2, idempotency_key=_key())
    store.schedule(event_id=uuid.uuid4(), person_key="b", seq=1, idempotency_key=_key())
    wake_at = await dispatcher.dispatch_due()
    assert _status(store) == {1: NoticeStatus.PENDING, 2: NoticeStatus.PENDING, 3: "sent"}
    assert wake_at is not None
    assert wake_at == datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # 12-10 00:00 in Japan
    clock.now = wake_at
    assert await dispatcher.dispatch_due() is None
    assert [body["n"] for _, _, body in ministry.received] == [3, 1, 2]


async def test_no_answer_is_retried_later_under_the_same_key() -> None:
    store, ministry, clock, dispatcher = _setup(503, None)
    key = _key()
    store.schedule(event_id=uuid.uuid4(), person_key="a", idempotency_key=key)
    store.schedule(event_id=uuid.uuid4(), person_key="a", seq=5, idempotency_key=_key())
    first_wake = await dispatcher.dispatch_due()
    assert first_wake == clock.now + timedelta(seconds=2)
    clock.now = first_wake
    second_wake = await dispatcher.dispatch_due()
    assert second_wake == clock.now + timedelta(seconds=4)  # doubled
    clock.now = second_wake
    await dispatcher.dispatch_due()
    keys = [k for _, k, _ in ministry.received]
    assert keys[:3] == [key, key, key]
    assert _status(store) == {1: NoticeStatus.SENT, 2: NoticeStatus.SENT}
    statuses = [d.status for d in store.deliveries.values()]
    assert statuses == [DeliveryStatus.FAILED, DeliveryStatus.FAILED, "sent", "sent"]


async def test_a_refusal_blocks_the_person_until_the_operator_acts() -> None:
    store, ministry, _, dispatcher = _setup(422)
    store.schedule(event_id=uuid.uuid4(), person_key="a", idempotency_key=_key())
    store.schedule(event_id=uuid.uuid4(), person_key="a", idempotency_key=_key())
    store.schedule(event_id=uuid.uuid4(), person_key="b", idempotency_key=_key())
    await dispatcher.dispatch_due()
    assert _status(store) == {1: "refused", 2: "pending", 3: "sent"}
    (block,) = store.blocks.values()
    assert block["person_key"] == "a"
    assert block["reason"] == "municipal_notice: MOJ 422 E-REJECTED"
    await dispatcher.dispatch_due()
    assert len(ministry.received) == 2


async def test_a_result_block_from_the_inbound_side_stops_the_person() -> None:
    store, ministry, _, dispatcher = _setup()
    store.schedule(event_id=uuid.uuid4(), person_key="a", idempotency_key=_key())
    store.blocks[1] = {"person_key": "a", "source": "result", "reason": "R-X", "cleared_at": None}
    await dispatcher.dispatch_due()
    assert ministry.received == []
    store.blocks[1]["cleared_at"] = store.notices[1].received_at
    await dispatcher.dispatch_due()
    assert _status(store) == {1: NoticeStatus.SENT}


async def test_manual_hand_over_holds_in_the_record_and_keeps_later_ones_behind() -> None:
    store, ministry, _, dispatcher = _setup()
    store.manual = True
    store.schedule(event_id=uuid.uuid4(), person_key="a", idempotency_key=_key())
    await dispatcher.dispatch_due()
    store.manual = False
    store.schedule(event_id=uuid.uuid4(), person_key="a", idempotency_key=_key())
    await dispatcher.dispatch_due()
    assert ministry.received == []
    assert _status(store) == {1: NoticeStatus.HELD, 2: NoticeStatus.HELD}
    assert [d.status for d in store.deliveries.values()] == ["held", "held"]
