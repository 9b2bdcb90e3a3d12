"""An in-memory unit of work for the adapter's use cases: the shared fake delivery record
(`jumin_testing.fake_ledger`) and CS's own state in dicts, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from cs_adapter.adapters.state_repository import OpenSupply
from jumin_testing.fake_ledger import NOW, FakeLedgerUnitOfWork, LedgerStore

__all__ = ["NOW", "FakeUnitOfWork", "Store"]


@dataclass
class Store(LedgerStore):
    """What the adapter's schema would hold."""

    supplied: int = 0
    seen_in_use: int = 0
    supplies: dict[int, dict[str, Any]] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)


class FakeState:
    """The part of `StateRepository` the use cases call."""

    def __init__(self, store: Store) -> None:
        self._s = store

    async def free_code_estimate(self) -> int:
        return self._s.supplied - self._s.seen_in_use

    async def open_supply(self) -> OpenSupply | None:
        for supply_id, s in self._s.supplies.items():
            if not s["published"]:
                return OpenSupply(id=supply_id, key=s["key"], count=s["count"])
        return None

    async def new_supply(self, key: UUID, count: int) -> OpenSupply | None:
        supply_id = next(self._s.ids)
        self._s.supplies[supply_id] = {"key": key, "count": count, "published": False}
        return OpenSupply(id=supply_id, key=key, count=count)

    async def store_codes(self, supply_id: int, batch_id: str, codes: list[str]) -> None:
        self._s.supplies[supply_id]["codes"] = codes
        self._s.supplied += len(codes)

    async def supply_published(self, supply_id: int) -> None:
        self._s.supplies[supply_id]["published"] = True


class FakeUnitOfWork(FakeLedgerUnitOfWork):
    """One 'transaction' over the store, with CS's state beside the delivery record."""

    store: Store

    def _attach(self, store: Any) -> None:
        self.state = FakeState(store)
