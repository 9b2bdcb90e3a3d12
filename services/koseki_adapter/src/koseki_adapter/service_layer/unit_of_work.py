"""Unit of work of the adapter: one transaction over its delivery record.

Use cases take a factory of them (`UnitsOfWork`), never the pool: each `async with uow()` is one
transaction, committed only by `await uow.commit()`. Unit tests hand in a fake
(`jumin_testing.fake_ledger`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jumin_platform.deliveries import DeliveryLedger
from jumin_platform.unit_of_work import PoolUnitOfWork

from koseki_adapter.config import SCHEMA


class UnitOfWork(PoolUnitOfWork):
    """The adapter's records (送信記録, 手動連携)."""

    deliveries: DeliveryLedger

    def _attach(self, connection: Any) -> None:
        self.deliveries = DeliveryLedger(connection, SCHEMA)


UnitsOfWork = Callable[[], UnitOfWork]
"""Start a new unit of work (`KosekiAdapter.uow`)."""
