"""Unit of work on an asyncpg pool: one connection, one transaction, the repositories that share it.

A service subclasses `PoolUnitOfWork` and attaches its repositories in `_attach`; its use cases
take the unit of work (or a factory of them) instead of a pool, so they can be unit-tested with a
fake one and the SQL stays in the adapters (docs/style.md, "One composition root").

    async with uow:
        change = await uow.changes.get(change_id)
        ...
        await uow.commit()          # without it, leaving the block rolls everything back
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

__all__ = ["PoolUnitOfWork"]


class PoolUnitOfWork:
    """Run one use case in one PostgreSQL transaction; roll back unless committed."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self._pool = pool
        self._connection: PoolConnectionProxy[Any] | None = None
        self._transaction: Transaction | None = None

    def _attach(self, connection: Any) -> None:
        """Build the repositories on the unit's connection (override in the service)."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        self._connection = await self._pool.acquire()
        try:
            self._transaction = self._connection.transaction()
            await self._transaction.start()
        except BaseException:  # BEGIN failed (e.g. the server restarted): give the connection back
            await self._pool.release(self._connection)
            self._connection = self._transaction = None
            raise
        self._attach(self._connection)
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
