"""Staff work items (作業): notices from the 戸籍 side that a member of staff must look into.

A 戸籍照合通知 (住基法19条2項: what the ward notified disagrees with the 戸籍) or a 本籍転属通知
(19条3項: the 本籍 now belongs to another 本籍地) never writes to the register by itself
(DOMAIN-SERVICES.md §1): it becomes a work item naming the person, what differs and what the
notice states. A clerk checks it and resolves it once — 職権修正 entered (naming that change),
附票記載事項通知 resent, or nothing to do — with a reason; who and when are kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final
from uuid import UUID

from jumin_contracts.commands import HonsekiTransferNotice, KosekiCollationNotice

from registry.domain.errors import NothingToChange, RuleViolation, StateConflict
from registry.domain.model import Person


class WorkItemKind(StrEnum):
    """Say which notice a work item comes from."""

    KOSEKI_COLLATION = "koseki_collation"  # 戸籍照合通知 (住基法19条2項)
    HONSEKI_TRANSFER = "honseki_transfer"  # 本籍転属通知 (住基法19条3項)

    @property
    def japanese(self) -> str:
        """Return the notice's Japanese name."""
        return _JAPANESE[self]


_JAPANESE = {
    WorkItemKind.KOSEKI_COLLATION: "戸籍照合通知",
    WorkItemKind.HONSEKI_TRANSFER: "本籍転属通知",
}


class WorkItemStatus(StrEnum):
    """Tell an open work item from a resolved one (未処理 / 処理済)."""

    OPEN = "open"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    """How a clerk resolved a work item (処理内容)."""

    CORRECTED = "corrected"  # 職権修正を入力した (the change is named)
    RESENT = "resent"  # 附票記載事項通知を再送した
    NO_ACTION = "no_action"  # 対応不要 (記載は正しい)


_IDS: Final = {"command_id", "sent_at", "notification_id"}
"""Envelope fields of a notice: kept in their own columns, not among what it states."""


@dataclass(frozen=True, kw_only=True)
class WorkItem:
    """One notice for staff to check, and how it was resolved."""

    work_item_id: UUID
    kind: WorkItemKind
    atena_no: str  # 宛名番号 of the person the notice is about
    command_id: UUID
    notification_id: UUID  # 通知番号 of the 戸籍附票システム
    received_at: datetime
    differing_items: tuple[str, ...]  # 一致しない項目 / 異なる項目
    stated: Mapping[str, Any]  # what the notice states (戸籍の記載, 本籍 before and after …)
    status: WorkItemStatus = WorkItemStatus.OPEN
    resolution: Resolution | None = None
    correction_change_id: UUID | None = None  # the 職権修正 entered (resolution corrected)
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution_reason: str | None = None

    def resolve(
        self,
        *,
        how: Resolution,
        by: str,
        at: datetime,
        reason: str,
        change_id: UUID | None = None,
    ) -> WorkItem:
        """Record how, by whom and when the item was dealt with; once only."""
        if self.status is WorkItemStatus.RESOLVED:
            raise StateConflict("この作業は処理済みです / the work item is already resolved")
        if (how is Resolution.CORRECTED) != (change_id is not None):
            raise RuleViolation(
                "職権修正の異動IDは処理内容 corrected のときだけ指定します / give change_id "
                "exactly when the resolution is corrected"
            )
        return dataclasses.replace(
            self,
            status=WorkItemStatus.RESOLVED,
            resolution=how,
            correction_change_id=change_id,
            resolved_by=by,
            resolved_at=at,
            resolution_reason=reason,
        )


def collation_item(
    notice: KosekiCollationNotice, *, work_item_id: UUID, atena_no: str, received_at: datetime
) -> WorkItem:
    """Return the work item of a 戸籍照合通知: the items it names and the 戸籍's own values."""
    return _item(
        notice,
        kind=WorkItemKind.KOSEKI_COLLATION,
        differing=tuple(item.value for item in notice.differing_items),
        work_item_id=work_item_id,
        atena_no=atena_no,
        received_at=received_at,
    )


def transfer_item(
    notice: HonsekiTransferNotice,
    *,
    work_item_id: UUID,
    atena_no: str,
    person: Person,
    received_at: datetime,
) -> WorkItem:
    """Return the work item of a 本籍転属通知: which of 本籍 and 筆頭者 the register states otherwise.

    A register that already states the new 本籍 and 筆頭者 leaves nothing to check.
    """
    differing = tuple(
        item
        for item in ("honseki", "hittosha")
        if getattr(notice, item) is not None and getattr(person, item) != getattr(notice, item)
    )
    if not differing:
        raise NothingToChange(
            "本籍・筆頭者は記載済みです / the register already states the new honseki"
        )
    return _item(
        notice,
        kind=WorkItemKind.HONSEKI_TRANSFER,
        differing=differing,
        work_item_id=work_item_id,
        atena_no=atena_no,
        received_at=received_at,
    )


def _item(
    notice: KosekiCollationNotice | HonsekiTransferNotice,
    *,
    kind: WorkItemKind,
    differing: tuple[str, ...],
    work_item_id: UUID,
    atena_no: str,
    received_at: datetime,
) -> WorkItem:
    return WorkItem(
        work_item_id=work_item_id,
        kind=kind,
        atena_no=atena_no,
        command_id=notice.command_id,
        notification_id=notice.notification_id,
        received_at=received_at,
        differing_items=differing,
        stated=notice.model_dump(mode="json", exclude=_IDS),
    )
