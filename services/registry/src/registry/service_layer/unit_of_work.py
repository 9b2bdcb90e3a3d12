"""Unit of work: one connection, one transaction, the repositories that share it."""

from __future__ import annotations

from typing import Any

import asyncpg
from jumin_platform.my_number_vault import MyNumberVault
from jumin_platform.unit_of_work import PoolUnitOfWork

from registry.adapters.change_repository import ChangeRepository
from registry.adapters.code_pool import CodePool
from registry.adapters.command_repository import CommandRepository
from registry.adapters.gaiji_repository import GaijiRepository
from registry.adapters.history_repository import HistoryRepository
from registry.adapters.outbox import Outbox
from registry.adapters.search_repository import SearchRepository
from registry.adapters.support_measure_repository import SupportMeasureRepository
from registry.adapters.work_item_repository import WorkItemRepository
from registry.service_layer.publication import Publication


class UnitOfWork(PoolUnitOfWork):
    """Run one use case in one PostgreSQL transaction; roll back unless committed."""

    changes: ChangeRepository
    history: HistoryRepository
    search: SearchRepository
    support_measures: SupportMeasureRepository
    outbox: Outbox
    commands: CommandRepository
    code_pool: CodePool
    gaiji: GaijiRepository
    work_items: WorkItemRepository

    def __init__(
        self, pool: asyncpg.Pool[Any], vault: MyNumberVault, publication: Publication
    ) -> None:
        super().__init__(pool)
        self._vault = vault
        self.publication = publication  # recipient policy: what approval tells whom

    def _attach(self, connection: Any) -> None:
        self.changes = ChangeRepository(connection, self._vault)
        self.history = HistoryRepository(connection, self._vault)
        self.search = SearchRepository(connection)
        self.support_measures = SupportMeasureRepository(connection)
        self.outbox = Outbox(connection, self._vault)
        self.commands = CommandRepository(connection)
        self.code_pool = CodePool(connection)
        self.gaiji = GaijiRepository(connection)
        self.work_items = WorkItemRepository(connection)
