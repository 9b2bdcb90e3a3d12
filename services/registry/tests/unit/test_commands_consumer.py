"""What the command consumer does with a delivery: dead-letter, ack, ride out outages, requeue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from uuid import uuid4

import pytest
from jumin_contracts.commands import FreeCodesReceived, RegistryCommand
from registry.entrypoints.commands_consumer import CommandConsumer, ConsumerConfig
from registry.service_layer.command_handlers import CommandResult, Outcome

CODE = "12345678903"  # valid check digit
NOW = datetime(2026, 11, 27, 10, tzinfo=UTC)


class FakeMessage:
    """Just the parts of an aio-pika delivery the consumer touches; records how it was settled."""

    def __init__(self, routing_key: str, body: bytes) -> None:
        self.routing_key = routing_key
        self.body = body
        self.headers: dict[str, Any] = {}
        self.message_id = str(uuid4())
        self.settled: list[tuple[str, bool | None]] = []

    async def ack(self) -> None:
        self.settled.append(("ack", None))

    async def nack(self, requeue: bool = True) -> None:
        self.settled.append(("nack", requeue))

    async def reject(self, requeue: bool = False) -> None:
        self.settled.append(("reject", requeue))


class FakeApply:
    """Stand in for apply_command: fail with the given errors first, then succeed."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.applied: list[RegistryCommand] = []

    async def __call__(self, *, command: RegistryCommand, **_: Any) -> CommandResult:
        if self.failures:
            raise self.failures.pop(0)
        self.applied.append(command)
        return CommandResult(Outcome.APPLIED)


def consumer(apply: FakeApply) -> CommandConsumer:
    return CommandConsumer(
        ConsumerConfig(amqp_url="amqp://unused/jumin", retry_seconds=0.0),
        uow=lambda: cast(Any, object()),
        clock=lambda: NOW,
        addresses=cast(Any, object()),
        apply=apply,
    )


def free_codes() -> FakeMessage:
    command = FreeCodesReceived(command_id=uuid4(), sent_at=NOW, codes=[CODE])
    return FakeMessage(command.ROUTING_KEY, command.model_dump_json().encode())


async def test_a_valid_command_is_applied_then_acked() -> None:
    apply = FakeApply()
    message = free_codes()

    await consumer(apply).handle(cast(Any, message))

    assert message.settled == [("ack", None)]
    assert len(apply.applied) == 1


@pytest.mark.parametrize(
    ("routing_key", "body"),
    [
        ("registry.unknown_command", b"{}"),
        ("registry.free_codes", b"not json"),
        ("registry.free_codes", b'{"command_id": "x", "codes": ["12345678901"]}'),
    ],
    ids=["unknown routing key", "not JSON", "fails its contract"],
)
async def test_an_invalid_command_is_dead_lettered_unapplied(routing_key: str, body: bytes) -> None:
    apply = FakeApply()
    message = FakeMessage(routing_key, body)

    await consumer(apply).handle(cast(Any, message))

    assert message.settled == [("reject", False)]  # → jumin.dlx → registry.dead
    assert apply.applied == []


async def test_a_database_outage_is_ridden_out_without_giving_the_message_up() -> None:
    apply = FakeApply(ConnectionRefusedError(), OSError("reset"))
    message = free_codes()

    await consumer(apply).handle(cast(Any, message))

    assert message.settled == [("ack", None)]
    assert len(apply.applied) == 1


async def test_a_bug_requeues_the_message_for_the_delivery_limit_to_catch() -> None:
    apply = FakeApply(RuntimeError("bug"))
    message = free_codes()

    await consumer(apply).handle(cast(Any, message))

    assert message.settled == [("reject", True)]  # counts towards the delivery limit
