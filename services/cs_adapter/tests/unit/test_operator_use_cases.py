"""The operator's use cases (手動連携, 再送信, free-code supply) on a fake unit of work and a fake CS.

No database and no network: the records live in `fake_uow.Store`, CS is `FakeCs` behind httpx's
in-memory transport. The SQL behind each repository call is proven by the integration tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast
from uuid import uuid4

import pytest
from cs_adapter.adapters.cs_client import CsClient
from cs_adapter.domain.cs_messages import to_outgoing
from cs_adapter.service_layer.code_supply import CodeSupply
from cs_adapter.service_layer.sealing import SealedKeeping
from jumin_contracts.commands import FreeCodesReceived, RegistryCommand
from jumin_platform.deliveries import (
    DeliveryStatus,
    HandOverOutOfOrder,
    ManualModeOn,
    held,
    new_record,
    resend,
)
from jumin_platform.my_number_vault import MyNumberVault, generate_key_file, load_vault

from ..builders import identity, person
from ..fake_cs import FakeCs, juminhyo_code
from .fake_uow import NOW, FakeUnitOfWork, Store


@pytest.fixture
def vault(tmp_path: Path) -> MyNumberVault:
    generate_key_file(tmp_path / "keys.json")
    return load_vault(tmp_path / "keys.json")


@pytest.fixture
def keeping(vault: MyNumberVault) -> SealedKeeping:
    return SealedKeeping(vault)


@pytest.fixture
def fake_cs() -> FakeCs:
    return FakeCs()


@pytest.fixture
async def cs(fake_cs: FakeCs) -> AsyncIterator[CsClient]:
    client = CsClient(
        base_url="http://cs", timeout=1.0, municipality_code="131041", transport=fake_cs.transport()
    )
    yield client
    await client.aclose()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(Store())


async def record(
    uow: FakeUnitOfWork, keeping: SealedKeeping, person_key: str, code: str, status: DeliveryStatus
) -> int:
    """Record one 本人確認情報 of a person (held, or as sent) and return its delivery id."""
    message = to_outgoing(identity(juminhyo_code=code))
    async with uow() as unit:
        stored = await unit.deliveries.add(
            new_record(
                keeping,
                message,
                event_id=uuid4(),
                key=uuid4(),
                person_key=person_key,
                seq=1,
                status=status,
            )
        )
        await unit.commit()
    return stored.id


def status_of(uow: FakeUnitOfWork, delivery_id: int) -> DeliveryStatus:
    return uow.store.deliveries[delivery_id].status


async def test_release_sends_each_persons_held_messages_in_order_and_stops_a_person_at_a_refusal(
    uow: FakeUnitOfWork, keeping: SealedKeeping, cs: CsClient, fake_cs: FakeCs
) -> None:
    alice, bob = person(), person()
    alice_code, bob_code = juminhyo_code(1), juminhyo_code(2)
    alice_ids = [await record(uow, keeping, alice, alice_code, DeliveryStatus.HELD) for _ in "ab"]
    bob_ids = [await record(uow, keeping, bob, bob_code, DeliveryStatus.HELD) for _ in "ab"]
    fake_cs.reject_codes.add(bob_code)

    report = await held.release_held(uow, cs, keeping, operator="op01")

    assert report.sent == alice_ids
    assert [(f.delivery_id, f.person_key) for f in report.failed] == [(bob_ids[0], bob)]
    assert [status_of(uow, i) for i in bob_ids] == [DeliveryStatus.HELD] * 2
    assert report.still_held == 2
    assert [r.body["juminhyo_code"] for r in fake_cs.received.values()] == [alice_code] * 2
    assert all(r.body["my_number"] for r in fake_cs.received.values()), "個人番号 unsealed to send"


async def test_nothing_is_released_while_manual_mode_is_on(
    uow: FakeUnitOfWork, keeping: SealedKeeping, cs: CsClient, fake_cs: FakeCs
) -> None:
    held_id = await record(uow, keeping, person(), juminhyo_code(3), DeliveryStatus.HELD)
    await held.switch_manual_mode(uow, manual=True, operator="op01", reason="CS 保守")

    with pytest.raises(ManualModeOn):
        await held.release_held(uow, cs, keeping, operator="op01")

    assert status_of(uow, held_id) is DeliveryStatus.HELD
    assert fake_cs.attempts == []


async def test_a_hand_over_leaving_an_older_held_message_behind_changes_nothing(
    uow: FakeUnitOfWork, keeping: SealedKeeping
) -> None:
    alice = person()
    older, newer = [
        await record(uow, keeping, alice, juminhyo_code(4), DeliveryStatus.HELD) for _ in "ab"
    ]

    with pytest.raises(HandOverOutOfOrder) as refused:
        await held.hand_over(uow, ids=[newer], operator="op01", reason="FD で引き渡し")

    assert refused.value.left_behind == {alice: [older]}
    assert [status_of(uow, i) for i in (older, newer)] == [DeliveryStatus.HELD] * 2

    assert await held.hand_over(uow, ids=[older, newer], operator="op01", reason="FD") == [
        older,
        newer,
    ]
    assert [status_of(uow, i) for i in (older, newer)] == [DeliveryStatus.HANDED_OVER] * 2


async def test_a_resend_is_a_new_transmission_recorded_beside_the_original(
    uow: FakeUnitOfWork, keeping: SealedKeeping, cs: CsClient, fake_cs: FakeCs
) -> None:
    original = await record(uow, keeping, person(), juminhyo_code(5), DeliveryStatus.SENT)
    request = resend.ResendRequest(delivery_ids=[original], change_reason="A11", operator="op01")

    (outcome,) = await resend.resend(uow, cs, keeping, request, most=10)

    assert outcome.outcome == "sent"
    assert outcome.new_delivery_id is not None
    copy = uow.store.deliveries[outcome.new_delivery_id]
    assert (copy.resend_of, copy.change_reason, copy.operator) == (original, "A11", "op01")
    assert copy.idempotency_key != uow.store.deliveries[original].idempotency_key
    (sent,) = fake_cs.received.values()
    assert sent.body["change_reason"] == "A11"


async def test_no_resend_in_manual_mode(
    uow: FakeUnitOfWork, keeping: SealedKeeping, cs: CsClient, fake_cs: FakeCs
) -> None:
    original = await record(uow, keeping, person(), juminhyo_code(6), DeliveryStatus.SENT)
    await held.switch_manual_mode(uow, manual=True, operator="op01", reason="CS 保守")
    request = resend.ResendRequest(delivery_ids=[original], operator="op01")

    with pytest.raises(ManualModeOn):
        await resend.resend(uow, cs, keeping, request, most=10)

    assert fake_cs.attempts == []


class Published:
    def __init__(self) -> None:
        self.commands: list[RegistryCommand] = []

    async def publish(self, command: RegistryCommand) -> None:
        self.commands.append(command)


def supply(uow: FakeUnitOfWork, cs: CsClient, publisher: Published) -> CodeSupply:
    return CodeSupply(
        uow=uow,
        listen=cast(Any, None),
        cs=cs,
        publisher=cast(Any, publisher),
        low_water=100,
        batch=500,
        clock=lambda: NOW,
    )


async def test_a_low_free_code_pool_is_topped_up_with_one_batch_under_the_stored_key(
    uow: FakeUnitOfWork, cs: CsClient, fake_cs: FakeCs
) -> None:
    published = Published()

    given = await supply(uow, cs, published).top_up()

    assert given == 500
    (command,) = published.commands
    assert isinstance(command, FreeCodesReceived)
    assert len(command.codes) == 500
    (stored,) = uow.store.supplies.values()
    assert stored["published"]
    assert command.command_id == stored["key"]
    assert list(fake_cs.batches) == [str(stored["key"])]


async def test_a_full_free_code_pool_asks_cs_for_nothing(
    uow: FakeUnitOfWork, cs: CsClient, fake_cs: FakeCs
) -> None:
    uow.store.supplied = 100
    published = Published()

    assert await supply(uow, cs, published).top_up() == 0
    assert published.commands == []
    assert fake_cs.batches == {}
