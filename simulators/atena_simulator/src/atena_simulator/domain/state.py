"""What the simulated 統合宛名 remembers: the persons, the 宛名番号 linked to them, the received
宛名連携 and its outbox (the feed of 符号 that came back).

The state lives in memory; with a journal every change is also appended to it — a receipt, a
person's new version, a queued notice, an attempt — and `AtenaState.restore` replays it, so a
restarted simulator holds what it held (a 符号 not yet back stays pending).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from jumin_simulator.journal import Entry
from jumin_simulator.state import Received, ReceivingState

from atena_simulator.domain.messages import Envelope, PersonItems
from atena_simulator.domain.persons import FugoStatus, Person, link_of


@dataclass(frozen=True)
class Receipt(Received[Envelope, PersonItems]):
    """One received 宛名連携 (first receipt under its key) and the answer it got."""

    integrated_atena_no: str
    first_sight: bool
    fugo_status: FugoStatus

    def dump(self) -> Entry:
        return {
            "kind": "receipt",
            **self.journal_items(),
            "integrated_atena_no": self.integrated_atena_no,
            "first_sight": self.first_sight,
            "fugo_status": self.fugo_status.value,
        }

    @classmethod
    def load(cls, entry: Entry) -> Receipt:
        envelope = Envelope.model_validate(entry["envelope"])
        return cls(
            envelope=envelope,
            body=envelope.body,
            **cls.loaded_items(entry),
            integrated_atena_no=entry["integrated_atena_no"],
            first_sight=entry["first_sight"],
            fugo_status=FugoStatus(entry["fugo_status"]),
        )


@dataclass
class AtenaState(ReceivingState[Receipt]):
    """Everything the simulator holds; replaced wholesale by a reset."""

    receipt_prefix = "AT"
    persons: dict[str, Person] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)

    def _replay(self, entry: Entry) -> None:
        kind = entry["kind"]
        if kind == "receipt":
            self.keep_receipt(Receipt.load(entry))
        elif kind == "person":
            self.keep_person(Person.model_validate(entry["person"]))
        else:
            raise ValueError(f"unknown journal entry {kind!r}")

    def keep_person(self, person: Person) -> None:
        """Hold a person as it is now, with its links."""
        self.persons[person.integrated_atena_no] = person
        for link in person.links:
            self.links[link] = person.integrated_atena_no
        self._record({"kind": "person", "person": person.model_dump(mode="json")})

    def match(self, items: PersonItems) -> Person | None:
        """The person a 宛名連携 is about: by its link, else by 住民票コード or 個人番号 (名寄せ)."""
        linked = self.links.get(link_of(items.system, items.atena_no))
        if linked is not None:
            return self.persons[linked]
        return next(
            (
                p
                for p in self.persons.values()
                if p.juminhyo_code == items.juminhyo_code
                or (items.my_number is not None and p.my_number == items.my_number)
            ),
            None,
        )

    def by_link(self, system: str, atena_no: str) -> Person | None:
        """The person a system's 宛名番号 is linked to, if any."""
        number = self.links.get(link_of(system, atena_no))
        return None if number is None else self.persons[number]

    def due(self, now: datetime) -> list[Person]:
        """Persons whose 符号 has come back by *now* and is not yet handed out, in request order."""
        waiting = [p for p in self.persons.values() if p.fugo_due(now)]
        return sorted(waiting, key=lambda p: (p.fugo_due_at, p.integrated_atena_no))

    def received(self, *, event_id: UUID | None) -> list[Receipt]:
        """Received 宛名連携 in receipt order, filtered by what is given."""
        return [
            r for r in self.receipts.values() if event_id is None or r.envelope.event_id == event_id
        ]
