"""Unit of work: one connection, one transaction, the repositories that share it."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction
from jumin_platform.my_number_vault import MyNumberVault

from registry.adapters.change_repository import ChangeRepository
from registry.adapters.code_pool import CodePool
from registry.adapters.command_repository import CommandRepository
from registry.adapters.history_repository import HistoryRepository
from registry.adapters.outbox import Outbox
from registry.adapters.search_repository import SearchRepository
from registry.adapters.support_measure_repository import SupportMeasureRepository
from registry.service_layer.publication import Publication


class UnitOfWork:
    """Run one use case in one PostgreSQL transaction; roll back unless committed."""

    changes: ChangeRepository
    history: HistoryRepository
    search: SearchRepository
    support_measures: SupportMeasureRepository
    outbox: Outbox
    commands: CommandRepository
    code_pool: CodePool

    def __init__(
        self, pool: asyncpg.Pool[Any], vault: MyNumberVault, publication: Publication
    ) -> None:
        self._pool = pool
        self._vault = vault
        self.publication = publication  # recipient policy: what approval tells whom
        self._connection: PoolConnectionProxy[Any] | None = None
        self._transaction: Transaction | None = None

    async def __aenter__(self) -> Self:
        self._connection = await self._pool.acquire()
        try:
            self._transaction = self._connection.transaction()
            await self._transaction.start()
        except BaseException:  # BEGIN failed (e.g. the server restarted): give the connection back
            await self._pool.release(self._connection)
            self._connection = self._transaction = None
            raise
        connection: Any = self._connection
        self.changes = ChangeRepository(connection, self._vault)
        self.history = HistoryRepository(connection, self._vault)
        self.search = SearchRepository(connection)
        self.support_measures = SupportMeasureRepository(connection)
        self.outbox = Outbox(connection, self._vault)
        self.commands = CommandRepository(connection)
        self.code_pool = CodePool(connection)
        return self

    async def commit(self) -> None:
        """Commit the transaction."""
        assert self._transaction is not None
        await self._transaction.commit()
        self._transaction = None

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._transaction is not None:
                await self._transaction.rollback()
        finally:
            if self._connection is not None:
                await self._pool.release(self._connection)
            self._connection = None
            self._transaction = None
