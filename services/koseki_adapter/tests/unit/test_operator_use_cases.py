"""The operator's use cases (再送信, 手動連携) for 附票 notices: the shared fake ledger, the real
simulator app in-process. The SQL behind each call is proven by the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from jumin_platform.deliveries import DeliveryStatus, ManualModeOn, PlainKeeping, held, new_record
from jumin_platform.deliveries.resend import ResendRequest, resend
from jumin_testing.fake_ledger import FakeLedgerUnitOfWork, LedgerStore
from koseki_adapter.domain.fuhyo_notices import FuhyoReply, notice_key, to_outgoing

from ..builders import fuhyo_notice, juminhyo_code, koseki, member, person
from ..simulated import Simulated, simulated

HANAKO = juminhyo_code(2)
KEEPING = PlainKeeping()


@pytest.fixture
async def system() -> AsyncIterator[Simulated]:
    async with simulated() as s:
        await s.seed(koseki(member(HANAKO, "花子")))
        yield s


@pytest.fixture
def uow() -> FakeLedgerUnitOfWork:
    return FakeLedgerUnitOfWork(LedgerStore())


async def record(
    uow: FakeLedgerUnitOfWork,
    person_key: str,
    status: DeliveryStatus,
    reply: FuhyoReply | None = None,
    **changes: object,
) -> int:
    """Record one 附票記載事項通知 of a person and return its delivery id."""
    event = uuid4()
    async with uow() as unit:
        stored = await unit.deliveries.add(
            new_record(
                KEEPING,
                to_outgoing(fuhyo_notice(**changes)),
                event_id=event,
                key=notice_key(event),
                person_key=person_key,
                seq=1,
                status=status,
                reply=reply,
            )
        )
        await unit.commit()
    return stored.id


async def test_a_rejected_notice_resent_after_the_koseki_was_corrected_is_accepted_under_a_new_key(
    uow: FakeLedgerUnitOfWork, system: Simulated
) -> None:
    mismatch = FuhyoReply(422, code="E-NAME-MISMATCH", errors=("E-NAME-MISMATCH",))
    rejected = await record(uow, person(), DeliveryStatus.REJECTED, mismatch, given_name="華子")
    await system.seed(koseki(member(HANAKO, "華子")))  # the 戸籍 side corrected its entry
    request = ResendRequest(
        delivery_ids=[rejected], change_reason="clerical_correction", operator="op01"
    )

    (outcome,) = await resend(uow, system.fuhyo, KEEPING, request, most=10)

    assert outcome.outcome == "sent"
    assert outcome.receipt_no
    assert outcome.new_delivery_id is not None
    copy = uow.store.deliveries[outcome.new_delivery_id]
    original = uow.store.deliveries[rejected]
    assert (copy.resend_of, copy.operator) == (rejected, "op01")
    assert copy.idempotency_key != original.idempotency_key
    (received,) = await system.received()
    assert received["idempotency_key"] == str(copy.idempotency_key)
    assert received["body"]["change_reason"] == "clerical_correction"
    assert received["body"]["given_name"] == "華子"


async def test_a_resend_still_disagreeing_with_the_koseki_is_recorded_rejected(
    uow: FakeLedgerUnitOfWork, system: Simulated
) -> None:
    rejected = await record(uow, person(), DeliveryStatus.REJECTED, given_name="華子")

    (outcome,) = await resend(
        uow, system.fuhyo, KEEPING, ResendRequest(delivery_ids=[rejected], operator="op01"), most=1
    )

    assert outcome.outcome == "rejected"
    assert outcome.reply == "koseki 422 E-NAME-MISMATCH: E-NAME-MISMATCH"


async def test_held_notices_are_released_in_order_once_manual_mode_is_off(
    uow: FakeLedgerUnitOfWork, system: Simulated
) -> None:
    hanako = person()
    first = await record(uow, hanako, DeliveryStatus.HELD, address_since="2026-11-01")
    second = await record(uow, hanako, DeliveryStatus.HELD, address_since="2026-11-20")
    await held.switch_manual_mode(uow, manual=True, operator="op01", reason="附票システム保守")

    with pytest.raises(ManualModeOn):
        await held.release_held(uow, system.fuhyo, KEEPING, operator="op01")
    assert await system.received() == []

    await held.switch_manual_mode(uow, manual=False, operator="op01", reason="保守終了")
    report = await held.release_held(uow, system.fuhyo, KEEPING, operator="op01")

    assert (report.sent, report.failed, report.still_held) == ([first, second], [], 0)
    sent = [r["body"]["address_since"] for r in await system.received()]
    assert sent == ["20261101", "20261120"]
