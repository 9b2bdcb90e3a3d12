"""Unit of work of the adapter: one transaction over the delivery records and the adapter's state.

Use cases take a factory of them (`UnitsOfWork`), never the pool: each `async with uow()` is one
transaction, committed only by `await uow.commit()`. Unit tests hand in a fake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jumin_platform.consistency.checks import CheckStore
from jumin_platform.inbound.store import InboundStore
from jumin_platform.unit_of_work import PoolUnitOfWork

from cs_adapter.adapters.deliveries_repository import DeliveryRepository
from cs_adapter.adapters.state_repository import StateRepository
from cs_adapter.config import SCHEMA


class UnitOfWork(PoolUnitOfWork):
    """The adapter's records (送信記録), state (手動連携, free-code supply), answers taken in and
    整合性確認 results."""

    deliveries: DeliveryRepository
    state: StateRepository
    inbound: InboundStore
    checks: CheckStore

    def _attach(self, connection: Any) -> None:
        self.deliveries = DeliveryRepository(connection)
        self.state = StateRepository(connection)
        self.inbound = InboundStore(connection, SCHEMA)
        self.checks = CheckStore(connection, SCHEMA)


UnitsOfWork = Callable[[], UnitOfWork]
"""Start a new unit of work (`CsAdapter.uow`)."""
