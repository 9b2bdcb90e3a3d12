"""What the simulated 中間サーバー remembers: the received 副本 operations, the 副本 (every
version), the legal-basis table and the 情報提供等記録.

The state lives in memory; with a journal every change is also appended to it and
`IntermediateState.restore` replays it, so a restarted simulator holds what it held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from jumin_simulator.journal import Entry
from jumin_simulator.state import Received, ReceivingState

from intermediate_simulator.domain.copies import CopyVersion
from intermediate_simulator.domain.inquiries import ProvisionRecord
from intermediate_simulator.domain.legal_bases import DEFAULT_LEGAL_BASES, LegalBasis
from intermediate_simulator.domain.messages import CopyOperation, Envelope

CopyKey = tuple[str, str]
"""(符号, data item): one 副本."""


@dataclass(frozen=True)
class Receipt(Received[Envelope, CopyOperation]):
    """One received 副本 operation (first receipt under its key) and the version it made."""

    version: int

    def dump(self) -> Entry:
        return {"kind": "receipt", **self.journal_items(), "version": self.version}

    @classmethod
    def load(cls, entry: Entry) -> Receipt:
        envelope = Envelope.model_validate(entry["envelope"])
        return cls(
            envelope=envelope,
            body=envelope.body,
            **cls.loaded_items(entry),
            version=entry["version"],
        )


def _default_bases() -> dict[str, LegalBasis]:
    return {basis.basis_id: basis for basis in DEFAULT_LEGAL_BASES}


@dataclass
class IntermediateState(ReceivingState[Receipt]):
    """Everything the simulator holds; replaced wholesale by a reset."""

    receipt_prefix = "IM"
    copies: dict[CopyKey, list[CopyVersion]] = field(default_factory=dict)
    legal_bases: dict[str, LegalBasis] = field(default_factory=_default_bases)
    records: list[ProvisionRecord] = field(default_factory=list)

    def _replay(self, entry: Entry) -> None:
        kind = entry["kind"]
        if kind == "receipt":
            self.keep_receipt(Receipt.load(entry))
        elif kind == "copy":
            self.keep_copy(CopyVersion.model_validate(entry["copy"]))
        elif kind == "legal_basis":
            self.keep_legal_basis(LegalBasis.model_validate(entry["basis"]))
        elif kind == "record":
            self.keep_record(ProvisionRecord.model_validate(entry["record"]))
        else:
            raise ValueError(f"unknown journal entry {kind!r}")

    def next_record_no(self) -> str:
        """The number of the next 情報提供等記録."""
        return f"PR-{len(self.records) + 1:06d}"

    def keep_copy(self, copy: CopyVersion) -> None:
        """Add a 副本's new version."""
        self.copies.setdefault((copy.fugo, copy.data_item), []).append(copy)
        self._record({"kind": "copy", "copy": copy.model_dump(mode="json")})

    def keep_legal_basis(self, basis: LegalBasis) -> None:
        """Add or replace an entry of the legal-basis table."""
        self.legal_bases[basis.basis_id] = basis
        self._record({"kind": "legal_basis", "basis": basis.model_dump(mode="json")})

    def keep_record(self, record: ProvisionRecord) -> None:
        """Append a 情報提供等記録."""
        self.records.append(record)
        self._record({"kind": "record", "record": record.model_dump(mode="json")})

    def current(self, fugo: str, data_item: str) -> CopyVersion | None:
        """The 副本 as it stands (its last version), if ever registered."""
        versions = self.copies.get((fugo, data_item))
        return versions[-1] if versions else None

    def current_copies(self, fugo: str | None) -> list[CopyVersion]:
        """Every 副本 as it stands, in first-registration order (of one 符号, if given)."""
        return [
            versions[-1]
            for (key_fugo, _), versions in self.copies.items()
            if fugo is None or key_fugo == fugo
        ]

    def records_of(self, fugo: str) -> list[ProvisionRecord]:
        """The 情報提供等記録 about one 符号, oldest first."""
        return [record for record in self.records if record.fugo == fugo]

    def received(self, *, event_id: UUID | None, fugo: str | None) -> list[Receipt]:
        """Received operations in receipt order, filtered by what is given."""
        return [
            r
            for r in self.receipts.values()
            if (event_id is None or r.envelope.event_id == event_id)
            and (fugo is None or r.body.fugo == fugo)
        ]
