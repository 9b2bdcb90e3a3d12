"""The one meaning of "now" for reading the register, and what a read shows at that point.

The register is bitemporal: every history row has an 異動日 (valid time, when it takes effect)
and a 処理日時 (transaction time, when it was approved). A read without `on` / `known_at` asks
for the register **as it stands today**:

- valid time = the ward office's calendar day in Asia/Tokyo (``ward_today``) of the registry's
  clock — the day a clerk at the counter would call today, whatever the server's time zone;
- transaction time = everything approved so far (the latest row known, not cut at the clock).

A row whose 異動日 is later than that day (a 転出 filed in advance with its 転出予定日) is known
but not yet in force: until that day the person is a resident about to leave (転出予定者), shown
with the planned date; from that day on they are removed. See docs/domain.md, "Reading the
register: today".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from jumin_contracts.codes import ChangeKind

from registry.domain.model import HistoryRow, RecordStatus

WARD_TIME = ZoneInfo("Asia/Tokyo")
"""The ward office's time zone: its calendar decides what "today" is."""


def ward_today(now: datetime) -> date:
    """Return the ward office's calendar day at ``now`` (Asia/Tokyo; a naive time counts as it)."""
    if now.tzinfo is None:
        return now.date()
    return now.astimezone(WARD_TIME).date()


@dataclass(frozen=True, kw_only=True)
class ReadPoint:
    """Say where on both time axes a read looks (基準日 and 処理時点)."""

    on: date  # 基準日: rows whose 異動日 is on or before this day are in force
    known_at: datetime | None  # 処理時点: rows approved by then; None = every approved row


def read_point(
    now: datetime, *, on: date | None = None, known_at: datetime | None = None
) -> ReadPoint:
    """Return the point a read uses: what it asks for, else today and everything approved."""
    return ReadPoint(on=on or ward_today(now), known_at=known_at)


@dataclass(frozen=True, kw_only=True)
class PlannedDeparture:
    """転出予定: an approved removal that takes effect after the read's 基準日."""

    kind: ChangeKind  # 国内転出 / 国外転出
    planned_on: date  # 転出予定日 (= the removal's 異動日)
    destination: str | None  # 転出先 (予定)


def planned_departure(
    in_force: HistoryRow, latest: HistoryRow, *, on: date
) -> PlannedDeparture | None:
    """Return the removal the person is waiting for on ``on`` (転出予定者), or None.

    ``latest`` is the person's last known row; when it is a removal dated after ``on``, approved
    by then, and the row in force is still a resident's, the person is about to leave.
    """
    removal = latest.person
    if latest.history_no == in_force.history_no or not in_force.person.is_resident:
        return None
    if ward_today(latest.recorded_at) > on:  # not yet filed on that day: nothing was planned
        return None
    if removal.status is not RecordStatus.REMOVED or latest.occurred_on.sort_key() <= on:
        return None
    return PlannedDeparture(
        kind=removal.removal_kind or latest.change_kind,
        planned_on=removal.planned_move_out_on or latest.occurred_on.sort_key(),
        destination=removal.move_out_destination,
    )


def takes_effect_later(row: HistoryRow, *, on: date) -> bool:
    """Say whether a row's 異動日 lies after ``on`` (known, but not yet in force)."""
    return row.occurred_on.sort_key() > on
