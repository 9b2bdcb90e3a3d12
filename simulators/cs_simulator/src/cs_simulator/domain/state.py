"""What the simulated CS remembers: transmissions, answers, free-code batches.

The state lives in memory; with a journal (`Journal`, e.g. the SQLite file of
`jumin_simulator.journal`) every change is also appended to it, and `CsState.restore` replays
a journal, so a restarted simulator holds what it held before.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from jumin_simulator.feed import Notification
from jumin_simulator.journal import Entry, Journal
from jumin_simulator.state import JournaledState, Received

from cs_simulator.domain.messages import BODY_MODELS, Envelope, MessageBody

__all__ = ["CsState", "FreeCodeBatch", "Journal", "Notification", "Transmission"]


@dataclass(frozen=True)
class Transmission(Received[Envelope, MessageBody]):
    """One accepted transmission (受信電文) and the reply it got."""

    @property
    def juminhyo_code(self) -> str:
        """The 住民票コード the message is about (every body type names one)."""
        return self.body.juminhyo_code


@dataclass(frozen=True)
class FreeCodeBatch:
    """One batch of free 住民票コード (空きコード), kept to answer a repeated request."""

    idempotency_key: UUID
    batch_id: UUID
    count: int
    codes: tuple[str, ...]


@dataclass
class CsState(JournaledState):
    """Everything the simulator holds; replaced wholesale by a reset."""

    transmissions: dict[UUID, Transmission] = field(default_factory=dict)
    identities: dict[str, Transmission] = field(default_factory=dict)
    #: Answers waiting for the ward (個人番号生成の応答, 転入通知). Cursors continue from the
    #: start time, so a restarted (memory-less) simulator still hands out cursors above any the
    #: ward stored before the restart.
    free_code_batches: dict[UUID, FreeCodeBatch] = field(default_factory=dict)
    my_numbers: dict[str, str] = field(default_factory=dict)
    _receipt_seq: int = 0

    def _replay(self, entry: Entry) -> None:
        kind = entry["kind"]
        if kind == "accept":
            envelope = Envelope.model_validate(entry["envelope"])
            self.accept(
                key=UUID(entry["key"]),
                envelope=envelope,
                body=BODY_MODELS[envelope.type].model_validate(envelope.body),
                now=datetime.fromisoformat(entry["at"]),
                traceparent=entry["traceparent"],
            )
        elif kind == "free_codes":
            self.keep_free_codes(
                FreeCodeBatch(
                    UUID(entry["key"]),
                    UUID(entry["batch_id"]),
                    entry["count"],
                    tuple(entry["codes"]),
                )
            )
        elif kind == "my_number":
            self.keep_my_number(entry["code"], entry["number"])
        else:
            raise ValueError(f"unknown journal entry {kind!r}")

    def keep_free_codes(self, batch: FreeCodeBatch) -> None:
        """Remember a batch handed out, to answer a repeated request with it."""
        self.free_code_batches[batch.idempotency_key] = batch
        self._record(
            {
                "kind": "free_codes",
                "key": str(batch.idempotency_key),
                "batch_id": str(batch.batch_id),
                "count": batch.count,
                "codes": list(batch.codes),
            }
        )

    def keep_my_number(self, juminhyo_code: str, my_number: str) -> None:
        """Remember the 個人番号 J-LIS generated for a 住民票コード."""
        self.my_numbers[juminhyo_code] = my_number
        self._record({"kind": "my_number", "code": juminhyo_code, "number": my_number})

    def answered_receipts(self) -> set[str]:
        """The 受付番号 of the 個人番号生成要求 already answered."""
        return {
            str(n.body["request_receipt_no"])
            for n in self.feed.items
            if n.type == "my_number_generated"
        }

    def accept(
        self,
        *,
        key: UUID,
        envelope: Envelope,
        body: MessageBody,
        now: datetime,
        traceparent: str | None,
    ) -> Transmission:
        """Store a first receipt under its key and give it the next 受付番号."""
        self._receipt_seq += 1
        transmission = Transmission(
            key, envelope, body, f"CS-{self._receipt_seq:06d}", now, traceparent
        )
        self.transmissions[key] = transmission
        self.count_accepted(envelope.event_id)
        if envelope.type == "identity":
            previous = getattr(body, "previous_juminhyo_code", None)
            if previous is not None:  # 住民票コードの変更: the person now goes by the new code
                self.identities.pop(previous, None)
            self.identities[transmission.juminhyo_code] = transmission
        self._record(
            {
                "kind": "accept",
                "key": str(key),
                "envelope": envelope.model_dump(mode="json"),
                "at": now.isoformat(),
                "traceparent": traceparent,
            }
        )
        return transmission

    @property
    def notifications(self) -> list[Notification]:
        """The answers queued so far, in cursor order."""
        return self.feed.items

    def notifications_after(self, cursor: int, limit: int) -> list[Notification]:
        """Return up to *limit* answers after *cursor*."""
        return self.feed.after(cursor, limit)

    def identities_after(
        self, code: str | None, limit: int
    ) -> tuple[list[Transmission], str | None]:
        """Return a page of held 本人確認情報 in code order and the code to continue after."""
        codes = sorted(self.identities)
        start = bisect.bisect_right(codes, code) if code is not None else 0
        page = codes[start : start + limit]
        more = start + limit < len(codes)
        return [self.identities[c] for c in page], (page[-1] if more and page else None)

    def received(
        self, *, type_: str | None, event_id: UUID | None, juminhyo_code: str | None
    ) -> list[Transmission]:
        """Return stored transmissions in receipt order, filtered by what is given."""
        return [
            t
            for t in self.transmissions.values()
            if (type_ is None or t.envelope.type == type_)
            and (event_id is None or t.envelope.event_id == event_id)
            and (juminhyo_code is None or t.juminhyo_code == juminhyo_code)
        ]
