"""A change (異動) as an aggregate: pending (仮登録) until a different user approves it (本登録)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from registry.domain.commands import ChangeRequest
from registry.domain.errors import ChangeNotPending, SelfApprovalError


class ChangeStatus(StrEnum):
    """List the states of a change (仮登録 → 本登録)."""

    PENDING = "pending"  # 仮登録
    APPROVED = "approved"  # 本登録


@dataclass(frozen=True, kw_only=True)
class Change:
    """Hold one filing or ex-officio act and its approval state."""

    change_id: UUID
    request: ChangeRequest
    status: ChangeStatus
    created_by: str
    created_at: datetime
    terminal: str | None = None  # 入力端末
    decided_by: str | None = None
    decided_at: datetime | None = None
    subjects: tuple[str, ...] = ()  # 宛名番号 of the people touched (known once approved)

    def approve(self, *, by: str, at: datetime) -> Change:
        """Return the change approved by a reviewer who did not enter it (本登録)."""
        if self.status is not ChangeStatus.PENDING:
            raise ChangeNotPending("この異動は既に決裁済みです / the change is already decided")
        if by == self.created_by:
            raise SelfApprovalError(
                "入力した職員は自分の異動を決裁できません / "
                "the member of staff who entered a change cannot approve it"
            )
        return dataclasses.replace(self, status=ChangeStatus.APPROVED, decided_by=by, decided_at=at)

    def with_subjects(self, atena_nos: list[str]) -> Change:
        """Return the change recording everyone it touched (異動者)."""
        return dataclasses.replace(self, subjects=tuple(atena_nos))
