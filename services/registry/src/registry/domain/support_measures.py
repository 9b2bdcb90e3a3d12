"""支援措置 (DV・ストーカー行為等の被害者支援, spec 3.4 and 1.1.16): set, extend, end."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from registry.domain.errors import RuleViolation, StateConflict

EXTENSION_WINDOW = 31
"""An extension may be entered from one month before the measure ends (spec 3.4)."""


def one_year_from(start: date) -> date:
    """Return the last day of a one-year period starting on ``start`` (令和2.4.1 → 令和3.3.31)."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # 2月29日 start: the period runs to 2月28日 of the next year
        anniversary = start.replace(year=start.year + 1, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class SupportMeasure:
    """Hold one 支援措置 over a person: provisional (仮支援措置) or confirmed, with its period."""

    measure_id: UUID
    atena_no: str  # 支援対象者
    provisional: bool  # 仮支援措置
    starts_on: date  # 開始年月日
    ends_on: date  # 終了年月日
    ended_on: date | None = None  # 終了した日 (申出・必要性なし)
    end_reason: str | None = None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime

    def is_active(self, on: date) -> bool:
        """Say whether the measure blocks disclosure on a day."""
        if self.ended_on is not None and self.ended_on <= on:
            return False
        return self.starts_on <= on <= self.ends_on

    def ends_within_a_month(self, on: date) -> bool:
        """Say whether staff should be alerted that the period ends within a month (spec 3.4)."""
        return self.is_active(on) and self.ends_on - on <= timedelta(days=EXTENSION_WINDOW)

    def extend(self, *, by: str, at: datetime) -> SupportMeasure:
        """Extend by one year from the day after the current end (延長, spec 3.4)."""
        today = at.date()
        if self.ended_on is not None:
            raise StateConflict("終了した支援措置は延長できません / the measure has ended")
        if today < self.ends_on - timedelta(days=EXTENSION_WINDOW):
            raise RuleViolation(
                "延長は期間終了日の1か月前から行えます / "
                "an extension may be entered from one month before the end"
            )
        new_end = one_year_from(self.ends_on + timedelta(days=1))
        return dataclasses.replace(
            self, ends_on=new_end, provisional=False, updated_by=by, updated_at=at
        )

    def confirm(self, *, by: str, at: datetime) -> SupportMeasure:
        """Turn a provisional measure into a confirmed one after review (審査の結果)."""
        if not self.provisional:
            raise StateConflict("既に支援措置が開始されています / the measure is already confirmed")
        return dataclasses.replace(self, provisional=False, updated_by=by, updated_at=at)

    def end(self, *, on: date, reason: str, by: str, at: datetime) -> SupportMeasure:
        """End the measure (申出・必要性がなくなったとき)."""
        if self.ended_on is not None:
            raise StateConflict("既に終了しています / the measure has already ended")
        if on < self.starts_on:
            raise RuleViolation("終了日が開始日より前です / the end precedes the start")
        return dataclasses.replace(
            self, ended_on=on, end_reason=reason, updated_by=by, updated_at=at
        )


def new_measure(
    *,
    measure_id: UUID,
    atena_no: str,
    starts_on: date,
    ends_on: date | None,
    provisional: bool,
    by: str,
    at: datetime,
) -> SupportMeasure:
    """Open a measure; its end defaults to one year after the start (spec 3.4)."""
    end = ends_on or one_year_from(starts_on)
    if end < starts_on:
        raise RuleViolation("終了年月日が開始年月日より前です / the end precedes the start")
    return SupportMeasure(
        measure_id=measure_id,
        atena_no=atena_no,
        provisional=provisional,
        starts_on=starts_on,
        ends_on=end,
        created_by=by,
        created_at=at,
        updated_by=by,
        updated_at=at,
    )
