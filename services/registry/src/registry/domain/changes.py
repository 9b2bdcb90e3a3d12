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


class ChangeOrigin(StrEnum):
    """Say where a change came from (起因): a member of staff, or a notice another system sent.

    Recorded on the change (registry.changes.origin) so the recipient policy can tell a fact the
    ward learned from a recipient from one the ward found itself: a change made from a 長官通知
    sends no 市町村通知 back to the ministry (`recipient_policy.foreign_and_notifiable`).
    """

    STAFF = "staff"  # 窓口の届出・職員の職権処理
    CS = "cs"  # 住基ネット (個人番号の生成, 転入通知), entered as system:cs
    KOSEKI = "koseki"  # 戸籍 side (住民票記載事項通知), entered as system:koseki
    MOJ = "moj"  # 法務省 (出入国在留管理庁長官) 長官通知 (住基法30条の50), entered as system:moj

    @property
    def system_maker(self) -> str:
        """Return the maker a system's changes are entered as (``system:<origin>``)."""
        if self is ChangeOrigin.STAFF:
            raise ValueError("staff changes are entered by a member of staff")
        return f"system:{self.value}"


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
    origin: ChangeOrigin = ChangeOrigin.STAFF  # 起因: staff, or the system whose notice it applies

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
