"""A change (異動) as an aggregate: pending (仮登録) until a different user approves it (本登録).

While pending, its maker may correct or withdraw it; a reviewer who did not make it approves or
rejects it with a reason (spec 4.0.8).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from registry.domain.change_requests import ChangeRequest
from registry.domain.errors import ChangeNotPending, NotMaker, SelfApprovalError


class ChangeStatus(StrEnum):
    """List the states of a change (仮登録 → 本登録 / 却下 / 取下げ)."""

    PENDING = "pending"  # 仮登録
    APPROVED = "approved"  # 本登録
    REJECTED = "rejected"  # 却下
    WITHDRAWN = "withdrawn"  # 取下げ (入力者による取消)


@dataclass(frozen=True, kw_only=True)
class Change:
    """Hold one filing or ex-officio act and its approval state."""

    change_id: UUID
    request: ChangeRequest
    status: ChangeStatus
    created_by: str
    created_at: datetime
    terminal: str | None = None  # 入力端末
    revision: int = 1  # 仮登録の修正回数 + 1
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None  # 却下・取下げの理由
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None
    subjects: tuple[str, ...] = ()  # 宛名番号 of the people touched

    def _require_pending(self) -> None:
        if self.status is not ChangeStatus.PENDING:
            raise ChangeNotPending(
                f"この異動は既に{_DONE[self.status]}です / the change is no longer pending"
            )

    def _require_checker(self, by: str) -> None:
        if by == self.created_by:
            raise SelfApprovalError(
                "入力した職員は自分の異動を決裁できません / "
                "the member of staff who entered a change cannot decide it"
            )

    def _require_maker(self, by: str) -> None:
        if by != self.created_by:
            raise NotMaker(
                "仮登録を修正・取下げできるのは入力した職員だけです / "
                "only the member of staff who entered a change may correct or withdraw it"
            )

    def approve(self, *, by: str, at: datetime) -> Change:
        """Return the change approved by a reviewer who did not enter it (本登録)."""
        self._require_pending()
        self._require_checker(by)
        return dataclasses.replace(self, status=ChangeStatus.APPROVED, decided_by=by, decided_at=at)

    def reject(self, *, by: str, at: datetime, reason: str) -> Change:
        """Return the change rejected by a reviewer, with the reason (却下)."""
        self._require_pending()
        self._require_checker(by)
        return dataclasses.replace(
            self, status=ChangeStatus.REJECTED, decided_by=by, decided_at=at, decision_reason=reason
        )

    def withdraw(self, *, by: str, at: datetime, reason: str) -> Change:
        """Return the change withdrawn by its maker before a decision (取下げ)."""
        self._require_pending()
        self._require_maker(by)
        return dataclasses.replace(
            self,
            status=ChangeStatus.WITHDRAWN,
            withdrawn_by=by,
            withdrawn_at=at,
            decision_reason=reason,
        )

    def revise(self, *, by: str, request: ChangeRequest) -> Change:
        """Return the pending change with a corrected request (仮登録の修正)."""
        self._require_pending()
        self._require_maker(by)
        return dataclasses.replace(self, request=request, revision=self.revision + 1)

    def with_subjects(self, atena_nos: list[str]) -> Change:
        """Return the change recording everyone it touched (異動者)."""
        return dataclasses.replace(self, subjects=tuple(atena_nos))


_DONE = {
    ChangeStatus.APPROVED: "決裁済み",
    ChangeStatus.REJECTED: "却下済み",
    ChangeStatus.WITHDRAWN: "取下げ済み",
    ChangeStatus.PENDING: "仮登録",
}
