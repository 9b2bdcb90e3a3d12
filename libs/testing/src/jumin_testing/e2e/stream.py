"""A stream of approved changes for several people, and the check that a recipient's system (CS, the
戸籍附票システム) got each of its messages once, in order.

The people move in first (one household each); the stream is then rounds of 転居 within the ward,
every person once per round, each one a cs.identity message for that person.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..waiting import eventually
from .clients import Body, Outbox, RegistryClient, Sent, SimulatorTestSide
from .people import Family, Person, move_within_ward, person, ward_address

Hook = Callable[[int], Awaitable[None]]


@dataclass
class Stream:
    """People on the register and the changes made for them."""

    registry: RegistryClient
    #: where to note everyone's personal data (for the no-personal-data-in-logs check)
    seen: set[str] = field(default_factory=set)
    people: list[Person] = field(default_factory=list)
    atena_nos: list[str] = field(default_factory=list)
    change_ids: list[str] = field(default_factory=list)
    subjects: dict[str, list[str]] = field(default_factory=dict)
    #: each person's address now (a 転居 to the same address is refused, rightly)
    addresses: dict[str, str] = field(default_factory=dict)
    approved: int = 0

    def _record(self, change: Body) -> None:
        self.change_ids.append(change["change_id"])
        self.subjects[change["change_id"]] = list(change["subjects"])

    def changes_of(self, atena_no: str, since: int = 0) -> list[str]:
        """The ids of the changes (from the `since`-th on) that concern one person."""
        return [c for c in self.change_ids[since:] if atena_no in self.subjects[c]]

    async def move_in(self, count: int) -> None:
        """Register `count` single-person households (国内転入), recorded as changes too."""
        await self.move_in_people([person(relationship="世帯主") for _ in range(count)])

    async def move_in_people(self, people: list[Person]) -> None:
        """Register each person as a single-person household (国内転入) 30 days ago."""
        day = date.today() - timedelta(days=30)
        for someone in people:
            household = Family((someone,))
            self.seen.update(household.secrets)
            change = await self.registry.enter(household.move_in(occurred_on=day))
            self.people.append(someone)
            self.atena_nos.extend(change["subjects"])
            self.addresses.update(dict.fromkeys(change["subjects"], household.address))
            self._record(change)

    async def moves(self, rounds: int, *, pace: float = 0.05, hook: Hook | None = None) -> None:
        """Rounds of 転居, everyone once per round; `hook(approved)` runs after each approval."""
        first = date.today() - timedelta(days=25)
        for round_no in range(rounds):
            for atena_no in self.atena_nos:
                on = first + timedelta(days=round_no)
                address = self._new_address(atena_no)
                self.seen.add(address)
                change = await self.registry.enter(move_within_ward([atena_no], address, on))
                self._record(change)
                self.approved += 1
                if hook is not None:
                    await hook(self.approved)
                await asyncio.sleep(pace)

    def _new_address(self, atena_no: str) -> str:
        """A ward address other than the person's current one (the draw can repeat)."""
        address = ward_address()
        while address == self.addresses.get(atena_no):
            address = ward_address()
        self.addresses[atena_no] = address
        return address


@dataclass(frozen=True)
class Delivery:
    """What a system got of a stream: the registry's messages to it and its transmissions of them."""

    sent: list[Sent]
    received: list[Body]
    counts: dict[str, Body]

    def accepted(self, event_id: str) -> int:
        return int(self.counts.get(event_id, {}).get("accepted", 0))

    def order_by_person(self) -> dict[str, list[int]]:
        """Per person key: the seqs of the transmissions in the order the system received them."""
        seq_of = {s.event_id: (s.person_key, s.seq) for s in self.sent}
        order: dict[str, list[int]] = defaultdict(list)
        for row in self.received:
            person_key, seq = seq_of[row["event_id"]]
            order[person_key].append(seq)
        return dict(order)


async def arrived(
    system: SimulatorTestSide, event_ids: set[str], within: float = 30.0
) -> list[Body]:
    """Wait until the system (CS, the 戸籍附票システム) has received every one of these events;
    return their transmissions, in the order it received them."""
    return await eventually(
        lambda: system.of_events(event_ids),
        lambda rows: {r["event_id"] for r in rows} >= event_ids,
        what=f"{len(event_ids)} events received",
        within=within,
        every=0.2,
    )


async def delivery(
    system: SimulatorTestSide,
    outbox: Outbox,
    change_ids: list[str],
    *,
    within: float = 60.0,
    recipient: str = "cs",
) -> Delivery:
    """Wait until the system has received every `recipient` message of the changes (CS: the cs
    ones, the 戸籍附票システム: the koseki ones); return what it holds."""
    sent = await outbox.sent(*change_ids, recipient=recipient)
    wanted = {s.event_id for s in sent}
    received = await eventually(
        lambda: system.of_events(wanted),
        lambda rows: {r["event_id"] for r in rows} >= wanted,
        what=f"all {len(wanted)} {recipient} messages of {len(change_ids)} changes received",
        within=within,
        every=0.5,
    )
    return Delivery(sent=sent, received=received, counts=await system.counts())


def assert_once_in_order(result: Delivery) -> None:
    """Every message arrived, was accepted once, and each person's arrived in seq order."""
    assert len(result.received) == len(result.sent), "each event stored once"
    twice = [s.event_id for s in result.sent if result.accepted(s.event_id) != 1]
    assert not twice, f"accepted ≠ 1 for {len(twice)} events"
    expected: dict[str, list[int]] = defaultdict(list)
    for s in result.sent:
        expected[s.person_key].append(s.seq)
    for person_key, seqs in result.order_by_person().items():
        assert seqs == sorted(expected[person_key]), f"a person's messages arrived as seq {seqs}"
