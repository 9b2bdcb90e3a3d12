"""The state machine's invariants: the tables and every read agree with each other and the model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import asyncpg
from registry.bootstrap import Registry
from registry.domain.errors import NotFound
from registry.domain.model import HistoryRow, Household, RecordStatus
from registry.domain.register_time import read_point, ward_today
from registry.service_layer import reading
from registry.service_layer.handlers import get_history

from .register_model import FAR_FUTURE, TODAY, RegisterModel

NUMBERING = """
SELECT h.atena_no, count(*) AS n, min(h.history_no) AS first, max(h.history_no) AS last,
       c.history_no AS current_no
  FROM registry.resident_history h
  LEFT JOIN registry.resident_current c USING (atena_no)
 GROUP BY h.atena_no, c.history_no
"""

CURRENT_MATCHES_HISTORY = """
SELECT c.atena_no FROM registry.resident_current c
  LEFT JOIN registry.resident_history h USING (atena_no, history_no)
 WHERE h.atena_no IS NULL OR (c.status, c.household_no, c.is_head, c.address)
       IS DISTINCT FROM (h.status, h.household_no, h.is_head, h.address)
"""

HOUSEHOLDS = """
SELECT c.household_no, count(*) FILTER (WHERE c.is_head) AS heads,
       count(DISTINCT h.address) AS addresses, array_agg(c.atena_no ORDER BY c.atena_no) AS members
  FROM registry.resident_current c
  JOIN registry.resident_history h USING (atena_no, history_no)
 WHERE c.status = 'resident'
 GROUP BY c.household_no
"""


def _visible(row: HistoryRow) -> HistoryRow | None:
    """Return what get_resident shows of a row: nothing for a record voided by 取消し."""
    return None if row.person.status is RecordStatus.VOID else row


class RegisterChecks(RegisterModel):
    """Check the register's tables and reads; the machine supplies the connections and clock."""

    owner: asyncpg.Connection[Any]
    registry: Registry
    _now: Callable[[], datetime]

    async def _check_tables(self) -> None:
        for r in await self.owner.fetch(NUMBERING):
            assert (r["first"], r["last"]) == (1, r["n"]), f"履歴番号 of {r['atena_no']} have gaps"
            assert r["current_no"] == r["last"], f"current row of {r['atena_no']} is not the last"
        assert await self.owner.fetch(CURRENT_MATCHES_HISTORY) == []
        for r in await self.owner.fetch(HOUSEHOLDS):
            assert r["heads"] == 1, f"世帯 {r['household_no']} has {r['heads']} heads"
            assert r["addresses"] == 1, f"世帯 {r['household_no']} lives at two addresses"

    async def _check_reads(self) -> None:
        members_seen: list[str] = []
        for household_no, members in self._households().items():
            household = await self._household(household_no, on=FAR_FUTURE)
            assert sorted(m.atena_no for m in household.members) == members
            assert household.head is not None
            assert household.members[0].atena_no == self._head(household_no)
            members_seen += members
        assert len(members_seen) == len(set(members_seen)), "someone is in two households"
        for atena_no in self.state:
            rows = await get_history(uow=self.registry.uow(), atena_no=atena_no)
            assert [r.history_no for r in rows] == list(range(1, len(rows) + 1))
            # the default read is the register on the ward's today: a 転出 approved ahead of its
            # 予定日 leaves the row before it in force until then (転出予定者)
            today = ward_today(self._now())
            in_force = [r for r in rows if r.occurred_on.sort_key() <= today]
            expected = _visible(in_force[-1]) if in_force else None
            assert await self._resident(atena_no, on=None, known_at=None) == expected
            await self._check_as_of(atena_no, rows)

    async def _check_as_of(self, atena_no: str, rows: list[HistoryRow]) -> None:
        """The row in force on each 異動日, and as known at each 処理日時, is the history's."""
        for day in sorted({r.occurred_on.sort_key() for r in rows}):
            in_force = [r for r in rows if r.occurred_on.sort_key() <= day]
            actual = await self._resident(atena_no, on=day, known_at=None)
            assert actual == _visible(in_force[-1]), f"{atena_no} on {day}"
        for row in rows:
            actual = await self._resident(atena_no, on=FAR_FUTURE, known_at=row.recorded_at)
            known = [r for r in rows if r.recorded_at <= row.recorded_at]
            assert actual == _visible(known[-1]), f"{atena_no} known at {row.recorded_at}"
            assert actual is None or actual.history_no <= known[-1].history_no

    async def _resident(
        self, atena_no: str, *, on: date | None, known_at: datetime | None
    ) -> HistoryRow | None:
        point = read_point(self._now(), on=on, known_at=known_at)
        try:
            found = await reading.get_resident(
                uow=self.registry.uow(), atena_no=atena_no, point=point
            )
        except NotFound:
            return None
        return found.row

    async def _household(self, household_no: str, *, on: date | None) -> Household:
        found = await reading.get_household(
            uow=self.registry.uow(), household_no=household_no, point=read_point(self._now(), on=on)
        )
        return Household(found.household_no, tuple(m.row for m in found.members))

    async def _reads(self) -> dict[tuple[str, str], object]:
        """Read everything a user can: each record, its history, each household (now and ever)."""
        reads: dict[tuple[str, str], object] = {}
        for atena_no in self.state:
            reads["resident", atena_no] = await self._resident(atena_no, on=None, known_at=None)
            reads["today", atena_no] = await self._resident(atena_no, on=TODAY, known_at=None)
            reads["history", atena_no] = await get_history(
                uow=self.registry.uow(), atena_no=atena_no
            )
        for household_no in {f.household_no for f in self.state.values()}:
            for on in (None, FAR_FUTURE):
                try:
                    reads[f"household {on}", household_no] = await self._household(
                        household_no, on=on
                    )
                except NotFound:
                    reads[f"household {on}", household_no] = None
        return reads
