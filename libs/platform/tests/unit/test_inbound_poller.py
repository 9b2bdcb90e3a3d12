"""The inbound poller: publish, record, move the cursor; a crash in between republishes the same."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Self
from uuid import uuid4, uuid5

import pytest
from jumin_contracts.commands import MoveInNoticeReceived, RegistryCommand
from jumin_platform.inbound.notifications import Kept, Notification, Skipped
from jumin_platform.inbound.poller import NotificationPoller, Plan
from jumin_platform.inbound.store import TakenIn
from jumin_testing.waiting import eventually

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
CODE = "12345678903"


class Unreachable(Exception):
    pass


@dataclass
class Records:
    cursor_at: int = 0
    taken: list[TakenIn] = field(default_factory=list)
    fail_next_add: bool = False

    async def cursor(self) -> int:
        return self.cursor_at

    async def set_cursor(self, cursor: int) -> None:
        self.cursor_at = max(self.cursor_at, cursor)

    async def add(self, taken: TakenIn) -> None:
        if self.fail_next_add:
            self.fail_next_add = False
            raise ConnectionError("the database went away")
        self.taken.append(taken)


class Unit:
    """Changes to `records` stay only if committed."""

    def __init__(self, records: Records) -> None:
        self._records = records
        self.inbound = Records(records.cursor_at, list(records.taken), records.fail_next_add)

    async def commit(self) -> None:
        self._records.cursor_at, self._records.taken = self.inbound.cursor_at, self.inbound.taken

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._records.fail_next_add = self.inbound.fail_next_add


@dataclass
class World:
    feed: list[Notification] = field(default_factory=list)
    records: Records = field(default_factory=Records)
    published: list[RegistryCommand] = field(default_factory=list)
    down: bool = False

    async def fetch(self, after: int, limit: int) -> Sequence[Notification]:
        if self.down:
            raise Unreachable("503")
        return [n for n in self.feed if n.cursor > after][:limit]

    async def publish(self, command: RegistryCommand) -> None:
        self.published.append(command)

    def poller(self) -> NotificationPoller[Unit]:
        return NotificationPoller(
            source="test",
            uow=lambda: Unit(self.records),
            fetch=self.fetch,
            to_command=to_command,
            publish=self.publish,
            unavailable=Unreachable,
            interval=0.01,
            clock=lambda: NOW,
        )


def to_command(notification: Notification, *, now: datetime) -> RegistryCommand | Skipped:
    if "moved_in_on" not in notification.body:
        return Skipped("invalid", "moved_in_on is missing")
    return MoveInNoticeReceived(
        command_id=uuid5(notification.notification_id, "command"),
        sent_at=now,
        juminhyo_code=CODE,
        confirmed_on=date(2026, 11, 1),
        confirmed_address="札幌市",
    )


def notice(cursor: int, **body: object) -> Notification:
    return Notification(cursor, uuid4(), "move_in_notice", None, None, body)


async def test_each_notification_is_published_recorded_and_the_cursor_moves() -> None:
    world = World(feed=[notice(1, moved_in_on="20261101"), notice(2)])

    assert await world.poller().poll_once() == 2

    [command] = world.published
    assert command.command_id == uuid5(world.feed[0].notification_id, "command")
    assert [(t.cursor, t.outcome, t.command_id) for t in world.records.taken] == [
        (1, "published", command.command_id),
        (2, "invalid", None),
    ]
    assert world.records.taken[1].detail == "moved_in_on is missing"
    assert world.records.cursor_at == 2


async def test_a_crash_after_publishing_publishes_the_same_command_again() -> None:
    world = World(feed=[notice(1, moved_in_on="20261101")])
    world.records.fail_next_add = True
    poller = world.poller()

    with pytest.raises(ConnectionError):
        await poller.poll_once()
    assert world.records.cursor_at == 0
    await poller.poll_once()

    first, again = world.published
    assert first.command_id == again.command_id
    assert len(world.records.taken) == 1
    assert world.records.cursor_at == 1


async def test_readiness_says_whether_the_system_was_reached() -> None:
    world = World(down=True)
    poller = world.poller()
    assert poller.reachable is None
    task = asyncio.create_task(poller.run())
    try:
        await eventually(lambda: poller.reachable, until=lambda r: r is False, what="unreachable")
        world.down = False
        await eventually(lambda: poller.reachable, until=lambda r: r is True, what="reachable")
    finally:
        task.cancel()


async def test_a_kept_notification_publishes_nothing_and_is_recorded_with_the_cursor() -> None:
    world = World(feed=[notice(1, kept="result-1"), notice(2, moved_in_on="20261101")])
    recorded: list[tuple[int, str]] = []

    async def on_taken(unit: Unit, item: Notification, planned: Plan) -> None:
        assert unit.inbound.cursor_at == item.cursor - 1  # before the cursor moves, same unit
        recorded.append((item.cursor, type(planned).__name__))

    poller = world.poller()
    poller.to_command = keeping
    poller.on_taken = on_taken

    assert await poller.poll_once() == 2

    assert len(world.published) == 1
    assert recorded == [(1, "Kept"), (2, "MoveInNoticeReceived")]
    assert [(t.cursor, t.outcome, t.detail) for t in world.records.taken] == [
        (1, "kept", "result result-1"),
        (2, "published", None),
    ]
    assert world.records.cursor_at == 2


def keeping(notification: Notification, *, now: datetime) -> Plan:
    kept = notification.body.get("kept")
    if kept is not None:
        return Kept(kept, f"result {kept}")
    return to_command(notification, now=now)
