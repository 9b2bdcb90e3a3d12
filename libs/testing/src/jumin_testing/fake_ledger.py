"""An in-memory delivery record for adapters' unit tests (cs_adapter, koseki_adapter).

`FakeLedgerUnitOfWork` stands in for an adapter's unit of work where the platform's delivery use
cases need one: records in a dict, the 手動連携 switch a flag. Commits are counted and what a
unit changed is kept only if it commits (a snapshot is restored on leaving without `commit`), so
a test sees the same all-or-nothing a PostgreSQL transaction gives. An adapter whose use cases
need more state subclasses `LedgerStore` and attaches its own fakes in `_attach`.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Self
from uuid import UUID

from jumin_platform.deliveries import Delivery, DeliveryStatus, ManualMode, NewDelivery, Reply

__all__ = ["NOW", "FakeDeliveries", "FakeLedgerUnitOfWork", "LedgerStore"]

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)


@dataclass
class LedgerStore:
    """What the adapter's delivery tables would hold."""

    deliveries: dict[int, Delivery] = field(default_factory=dict)
    manual: bool = False
    manual_history: list[dict[str, Any]] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class FakeDeliveries:
    """The part of `DeliveryLedger` the use cases call."""

    def __init__(self, store: LedgerStore) -> None:
        self._s = store

    async def lock_person(self, person_key: str) -> None:
        """Nothing to lock: one test task at a time."""

    async def lock_held_persons(self, ids: Sequence[int]) -> None:
        """Nothing to lock."""

    async def manual_mode(self) -> bool:
        return self._s.manual

    async def manual_state(self) -> ManualMode:
        return ManualMode(manual=self._s.manual, changed_at=NOW, changed_by=None, reason=None)

    async def set_manual_mode(self, *, manual: bool, operator: str, reason: str) -> None:
        self._s.manual = manual
        self._s.manual_history.append({"manual": manual, "operator": operator, "reason": reason})

    async def has_held(self, person_key: str) -> bool:
        return any(d.person_key == person_key for d in self._held())

    async def add(self, d: NewDelivery) -> Delivery:
        reply = d.reply or Reply(status=None)
        record = Delivery(
            id=next(self._s.ids),
            **{k: v for k, v in vars(d).items() if k not in {"reply"}},
            receipt_no=reply.receipt_no,
            replayed=reply.replayed,
            reply_status=reply.status,
            reply_code=reply.code,
            created_at=NOW,
            sent_at=NOW if d.status is DeliveryStatus.SENT else None,
        )
        self._s.deliveries[record.id] = record
        return record

    async def held_persons(self) -> list[str]:
        return list(dict.fromkeys(d.person_key for d in self._held()))

    async def first_held(self, person_key: str) -> Delivery | None:
        return next((d for d in self._held() if d.person_key == person_key), None)

    async def count_held(self) -> int:
        return len(self._held())

    async def list_held(self, limit: int) -> list[Delivery]:
        return self._held()[:limit]

    async def update_reply(
        self,
        id_: int,
        *,
        status: DeliveryStatus,
        reply: Reply,
        trace_id: str | None,
        operator: str,
    ) -> None:
        self._s.deliveries[id_] = replace(
            self._s.deliveries[id_],
            status=status,
            receipt_no=reply.receipt_no,
            reply_status=reply.status,
            operator=operator,
        )

    async def held_left_behind(self, ids: Sequence[int]) -> dict[str, list[int]]:
        chosen = {i for i in ids if i in self._s.deliveries}
        newest = {}
        for i in sorted(chosen):
            newest[self._s.deliveries[i].person_key] = i
        behind: dict[str, list[int]] = {}
        for d in self._held():
            if d.id not in chosen and d.person_key in newest and d.id < newest[d.person_key]:
                behind.setdefault(d.person_key, []).append(d.id)
        return behind

    async def hand_over(self, ids: Sequence[int], *, operator: str, reason: str) -> list[int]:
        done = [d.id for d in self._held() if d.id in set(ids)]
        for i in done:
            self._s.deliveries[i] = replace(
                self._s.deliveries[i], status=DeliveryStatus.HANDED_OVER, operator=operator
            )
        return done

    async def by_ids(self, ids: Sequence[int]) -> list[Delivery]:
        return [self._s.deliveries[i] for i in sorted(set(ids)) if i in self._s.deliveries]

    async def newer_sent_exists(self, d: Delivery, batch: Sequence[UUID]) -> bool:
        return any(
            o.person_key == d.person_key
            and o.type == d.type
            and o.id > d.id
            and o.status is DeliveryStatus.SENT
            and o.event_id not in batch
            for o in self._s.deliveries.values()
        )

    def _held(self) -> list[Delivery]:
        return sorted(
            (d for d in self._s.deliveries.values() if d.status is DeliveryStatus.HELD),
            key=lambda d: d.id,
        )


class FakeLedgerUnitOfWork:
    """One 'transaction' over the store: kept on commit, undone otherwise."""

    def __init__(self, store: LedgerStore) -> None:
        self.store = store
        self.commits = 0
        self._before: LedgerStore | None = None

    def __call__(self) -> Self:
        return self

    def _attach(self, store: Any) -> None:
        """Attach the adapter's other fakes (override)."""

    async def __aenter__(self) -> Self:
        self._before = copy.deepcopy(self.store)
        self.deliveries = FakeDeliveries(self.store)
        self._attach(self.store)
        return self

    async def commit(self) -> None:
        self.commits += 1
        self._before = None

    async def __aexit__(self, *exc_info: object) -> None:
        if self._before is not None:  # not committed: put everything back
            vars(self.store).update(vars(self._before))
        self._before = None
