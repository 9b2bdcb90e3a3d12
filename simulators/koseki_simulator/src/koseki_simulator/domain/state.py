"""What the simulated 戸籍附票システム remembers: 戸籍 and 附票, answered notices, its outbox.

The state lives in memory; with a journal (`jumin_simulator.journal`) every change is also
appended to it — a changed 戸籍 as a whole, an answer, a queued notice, an attempt — and
`FuhyoState.restore` replays it, so a restarted simulator holds what it held before.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from uuid import UUID

from jumin_simulator.journal import Entry
from jumin_simulator.state import JournaledState, Received

from koseki_simulator.domain.fuhyo import Koseki, KosekiKey, Member
from koseki_simulator.domain.notices import Envelope, FuhyoNoticeBody


@dataclass(frozen=True)
class Answer(Received[Envelope, FuhyoNoticeBody]):
    """One received 附票記載事項通知 (first receipt under its key) and its 照合結果."""

    mismatches: tuple[str, ...]
    """Mismatch codes, first the one the answer names; empty: accepted."""

    @property
    def accepted(self) -> bool:
        return not self.mismatches

    def dump(self) -> Entry:
        return {"kind": "answer", **self.journal_items(), "mismatches": list(self.mismatches)}

    @classmethod
    def load(cls, entry: Entry) -> Answer:
        envelope = Envelope.model_validate(entry["envelope"])
        return cls(
            envelope=envelope,
            body=FuhyoNoticeBody.model_validate(envelope.body),
            **cls.loaded_items(entry),
            mismatches=tuple(entry["mismatches"]),
        )


@dataclass
class FuhyoState(JournaledState):
    """Everything the simulator holds; replaced wholesale by a reset."""

    koseki: dict[KosekiKey, Koseki] = field(default_factory=dict)
    answers: dict[UUID, Answer] = field(default_factory=dict)

    def _replay(self, entry: Entry) -> None:
        kind = entry["kind"]
        if kind == "koseki":
            self.keep(Koseki.load(entry["koseki"]))
        elif kind == "drop":
            self.drop((entry["honseki"], entry["hittosha"]))
        elif kind == "answer":
            self.keep_answer(Answer.load(entry))
        else:
            raise ValueError(f"unknown journal entry {kind!r}")

    def keep(self, koseki: Koseki) -> None:
        """Hold a 戸籍 as it is now (new, seeded again or changed)."""
        self.koseki[koseki.key] = koseki
        self._record({"kind": "koseki", "koseki": koseki.dump()})

    def drop(self, key: KosekiKey) -> None:
        """Forget a 戸籍 (its 本籍 left the ward: the 附票 is kept by the new 本籍地)."""
        self.koseki.pop(key, None)
        self._record({"kind": "drop", "honseki": key[0], "hittosha": key[1]})

    def next_receipt_no(self) -> str:
        """The 受付番号 of the next first receipt."""
        return f"FH-{len(self.answers) + 1:06d}"

    def keep_answer(self, answer: Answer) -> None:
        """Store a first receipt and its 照合結果 under its key."""
        self.answers[answer.idempotency_key] = answer
        self.count_accepted(answer.envelope.event_id)
        self._record(answer.dump())

    def find(self, honseki: str, hittosha: str | None) -> Koseki | None:
        """The 戸籍 of (本籍, 筆頭者); without 筆頭者, the only 戸籍 at that 本籍."""
        if hittosha is not None:
            return self.koseki.get((honseki, hittosha))
        found = [k for k in self.koseki.values() if k.honseki == honseki]
        return found[0] if len(found) == 1 else None

    def fuhyo_after(
        self, code: str | None, limit: int
    ) -> tuple[list[tuple[Koseki, Member]], str | None]:
        """A page of 附票, one per 住民票コード in code order, and the code to continue after."""
        by_code = {
            m.juminhyo_code: (k, m)
            for k in self.koseki.values()
            for m in k.present()
            if m.juminhyo_code is not None
        }
        codes = sorted(by_code)
        start = bisect.bisect_right(codes, code) if code is not None else 0
        page = codes[start : start + limit]
        more = start + limit < len(codes)
        return [by_code[c] for c in page], (page[-1] if more and page else None)

    def received(self, *, event_id: UUID | None, juminhyo_code: str | None) -> list[Answer]:
        """Received notices in receipt order, filtered by what is given."""
        return [
            a
            for a in self.answers.values()
            if (event_id is None or a.envelope.event_id == event_id)
            and (juminhyo_code is None or a.body.juminhyo_code == juminhyo_code)
        ]
