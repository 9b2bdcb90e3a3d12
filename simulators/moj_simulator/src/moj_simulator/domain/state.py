"""What the simulated ministry remembers: received notices and their results, its record of
foreign residents, and its outbox (the feed).

The state lives in memory; with a journal every change is also appended to it — a receipt, a
result issued, a record kept, a queued notice, an attempt — and `MojState.restore` replays it, so
a restarted simulator holds what it held (results not yet due stay pending).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from jumin_simulator.journal import Entry
from jumin_simulator.state import Received, ReceivingState

from moj_simulator.domain.notices import (
    MUNICIPAL_NOTICE,
    Envelope,
    MunicipalNoticeBody,
    MunicipalTransmissionBody,
    NoticeBody,
)
from moj_simulator.domain.records import Resident


@dataclass(frozen=True)
class Receipt(Received[Envelope, NoticeBody]):
    """One received notice (first receipt under its key) and when its result is due."""

    result_due_at: datetime

    def dump(self) -> Entry:
        return {"kind": "receipt", **self.journal_items(), "due": self.result_due_at.isoformat()}

    @classmethod
    def load(cls, entry: Entry) -> Receipt:
        envelope = Envelope.model_validate(entry["envelope"])
        return cls(
            envelope=envelope,
            body=body_of(envelope),
            **cls.loaded_items(entry),
            result_due_at=datetime.fromisoformat(entry["due"]),
        )


def body_of(envelope: Envelope) -> NoticeBody:
    """The (already validated) body of an envelope as its type's model."""
    if envelope.type == MUNICIPAL_NOTICE:
        return MunicipalNoticeBody.model_validate(envelope.body)
    return MunicipalTransmissionBody.model_validate(envelope.body)


@dataclass(frozen=True)
class IssuedResult:
    """The processing result sent for a receipt: 正常 (no code) or its error code."""

    error_code: str | None


@dataclass
class MojState(ReceivingState[Receipt]):
    """Everything the simulator holds; replaced wholesale by a reset."""

    receipt_prefix = "MJ"
    results: dict[str, IssuedResult] = field(default_factory=dict)
    residents: dict[str, Resident] = field(default_factory=dict)
    director_notices: int = 0

    def _replay(self, entry: Entry) -> None:
        kind = entry["kind"]
        if kind == "receipt":
            self.keep_receipt(Receipt.load(entry))
        elif kind == "result":
            self.results[entry["receipt_no"]] = IssuedResult(entry["error_code"])
        elif kind == "resident":
            self.keep_resident(Resident.model_validate(entry["resident"]))
        elif kind == "director_notice":
            self.director_notices += 1
        else:
            raise ValueError(f"unknown journal entry {kind!r}")

    def keep_result(self, receipt_no: str, error_code: str | None) -> None:
        """Mark a receipt's result sent (its own, or one injected in its place)."""
        self.results[receipt_no] = IssuedResult(error_code)
        self._record({"kind": "result", "receipt_no": receipt_no, "error_code": error_code})

    def keep_resident(self, resident: Resident) -> None:
        """Hold a foreign resident's record as it is now."""
        self.residents[resident.card_no] = resident
        self._record({"kind": "resident", "resident": resident.model_dump(mode="json")})

    def next_director_notice_no(self) -> str:
        """The 通知番号 of the next 長官通知."""
        self.director_notices += 1
        self._record({"kind": "director_notice"})
        return f"DN-{self.director_notices:06d}"

    def due(self, now: datetime) -> list[Receipt]:
        """Receipts whose result is due and not yet sent, in receipt order."""
        return [
            r
            for r in self.receipts.values()
            if r.receipt_no not in self.results and r.result_due_at <= now
        ]

    def by_receipt_no(self, receipt_no: str) -> Receipt | None:
        """The receipt with this 受付番号, if held."""
        return next((r for r in self.receipts.values() if r.receipt_no == receipt_no), None)

    def received(self, *, event_id: UUID | None, card_no: str | None) -> list[Receipt]:
        """Received notices in receipt order, filtered by what is given."""
        return [
            r
            for r in self.receipts.values()
            if (event_id is None or r.envelope.event_id == event_id)
            and (card_no is None or r.body.card_no == card_no)
        ]
