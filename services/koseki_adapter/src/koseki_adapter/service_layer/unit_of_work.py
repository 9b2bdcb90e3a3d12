"""Unit of work of the adapter: one transaction over its delivery record.

Use cases take a factory of them (`UnitsOfWork`), never the pool: each `async with uow()` is one
transaction, committed only by `await uow.commit()`. Unit tests hand in a fake
(`jumin_testing.fake_ledger`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jumin_platform.consistency.checks import CheckStore
from jumin_platform.deliveries import DeliveryLedger
from jumin_platform.inbound.store import InboundStore
from jumin_platform.unit_of_work import PoolUnitOfWork

from koseki_adapter.adapters.accepted_notices import AcceptedNotices
from koseki_adapter.config import SCHEMA


class UnitOfWork(PoolUnitOfWork):
    """The adapter's records: 送信記録 and 手動連携, notices taken in (取込の記録) and their cursor,
    the latest accepted 附票記載事項通知 per person, 整合性確認 results."""

    deliveries: DeliveryLedger
    inbound: InboundStore
    accepted: AcceptedNotices
    checks: CheckStore

    def _attach(self, connection: Any) -> None:
        self.deliveries = DeliveryLedger(connection, SCHEMA)
        self.inbound = InboundStore(connection, SCHEMA)
        self.accepted = AcceptedNotices(connection)
        self.checks = CheckStore(connection, SCHEMA)


UnitsOfWork = Callable[[], UnitOfWork]
"""Start a new unit of work (`KosekiAdapter.uow`)."""
