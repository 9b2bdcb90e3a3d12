"""Unit of work of the service: one transaction over its records.

Use cases take a factory of them (`UnitsOfWork`), never the pool: each `async with uow()` is one
transaction, committed only by `await unit.commit()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jumin_platform.deliveries import DeliveryLedger
from jumin_platform.inbound.store import InboundStore
from jumin_platform.unit_of_work import PoolUnitOfWork

from moj_notify.adapters.director_notice_store import DirectorNoticeStore
from moj_notify.adapters.person_blocks import PersonBlocks
from moj_notify.adapters.results_store import ResultsStore
from moj_notify.adapters.schedule import Schedule
from moj_notify.config import SCHEMA


class UnitOfWork(PoolUnitOfWork):
    """The service's records: 送信記録 and 手動連携, the schedule (送信予定) and the per-person
    blocks, what the ministry sent back (取込の記録) and its cursor, the 処理結果 and their
    worklist, the 長官通知 taken in."""

    deliveries: DeliveryLedger
    schedule: Schedule
    blocks: PersonBlocks
    inbound: InboundStore
    results: ResultsStore
    director_notices: DirectorNoticeStore

    def _attach(self, connection: Any) -> None:
        self.deliveries = DeliveryLedger(connection, SCHEMA)
        self.schedule = Schedule(connection)
        self.blocks = PersonBlocks(connection)
        self.inbound = InboundStore(connection, SCHEMA)
        self.results = ResultsStore(connection)
        self.director_notices = DirectorNoticeStore(connection)


UnitsOfWork = Callable[[], UnitOfWork]
"""Start a new unit of work (`MojNotify.uow`)."""
