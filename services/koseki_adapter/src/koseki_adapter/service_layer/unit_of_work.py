"""Unit of work of the adapter: one transaction over its records.

Use cases take a factory of them (`UnitsOfWork`), never the pool: each `async with uow()` is one
transaction, committed only by `await uow.commit()`. Unit tests hand in a fake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jumin_platform.unit_of_work import PoolUnitOfWork


class UnitOfWork(PoolUnitOfWork):
    """The adapter's records."""

    def _attach(self, connection: Any) -> None:
        self.connection = connection


UnitsOfWork = Callable[[], UnitOfWork]
"""Start a new unit of work (`KosekiAdapter.uow`)."""
