"""PostgreSQL access: asyncpg pools with JSON codecs, and SQL migrations applied by yoyo."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from yoyo import get_backend, read_migrations

AnyConnection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
"""A plain connection or one borrowed from a pool."""

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def check_identifier(name: str, *, what: str = "schema") -> str:
    """Return `name` if it is a plain lower-case SQL identifier; raise ValueError otherwise."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"bad {what} name {name!r} (want [a-z_][a-z0-9_]*, at most 63 characters)")
    return name


async def _init_connection(connection: asyncpg.Connection[Any]) -> None:
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool[Any]:
    """Open a connection pool whose connections encode and decode json/jsonb as Python values."""
    return await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection
    )


def _yoyo_url(dsn: str) -> str:
    scheme, rest = dsn.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in {"postgresql", "postgres"} else dsn


Notified: TypeAlias = Callable[[Any, int, str, object], None]
"""Called on each NOTIFY with (connection, server pid, channel, payload)."""

Listen: TypeAlias = Callable[[str, Notified], AbstractAsyncContextManager[None]]
"""LISTEN on a channel, calling back on each NOTIFY, for as long as the context lasts."""


def listener_on(pool: asyncpg.Pool[Any]) -> Listen:
    """Return a `Listen` that holds one of the pool's connections while it listens."""

    @asynccontextmanager
    async def listen(channel: str, callback: Notified) -> AsyncIterator[None]:
        async with pool.acquire() as connection:
            await connection.add_listener(channel, callback)
            try:
                yield
            finally:
                await connection.remove_listener(channel, callback)

    return listen


def migrations_of(package: str) -> Path:
    """Return the `migrations` folder shipped inside a service's package (installed or not)."""
    return Path(str(resources.files(package) / "migrations"))


def apply_migrations(dsn: str, directory: Path) -> int:
    """Apply pending SQL migrations from a directory with yoyo; return how many were applied."""
    backend = get_backend(_yoyo_url(dsn), migration_table="_yoyo_migration")
    migrations = read_migrations(str(directory))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return len(pending)
