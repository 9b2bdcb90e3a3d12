"""Unit of work of the adapter: one transaction over the delivery records and the adapter's state.

Use cases take a factory of them (`UnitsOfWork`), never the pool: each `async with uow()` is one
transaction, committed only by `await uow.commit()`. Unit tests hand in a fake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jumin_platform.unit_of_work import PoolUnitOfWork

from cs_adapter.adapters.deliveries_repository import DeliveryRepository
from cs_adapter.adapters.state_repository import StateRepository


class UnitOfWork(PoolUnitOfWork):
    """The adapter's records (送信記録) and state (手動連携, cursors, free-code supply, checks)."""

    deliveries: DeliveryRepository
    state: StateRepository

    def _attach(self, connection: Any) -> None:
        self.deliveries = DeliveryRepository(connection)
        self.state = StateRepository(connection)


UnitsOfWork = Callable[[], UnitOfWork]
"""Start a new unit of work (`CsAdapter.uow`)."""
