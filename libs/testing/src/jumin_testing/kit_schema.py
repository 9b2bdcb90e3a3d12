"""A fresh consumer-kit schema in a test database.

The one copy of the database set-up shared by the platform's kit tests (`jumin_test_consumer`) and
the registry's downstream recipient: the schema is made once by the `postgres` superuser (the owner
role may not CREATE SCHEMA, as in production, where provisioning makes it), then the kit's tables
are dropped and installed again, empty, as the owner role.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from urllib.parse import urlsplit

import asyncpg
import pytest
from jumin_platform.consumer import install

KIT_TABLES = ("inbox", "person_progress", "parked", "operator_actions")


async def fresh_kit_schema(
    connection: asyncpg.Connection, dsn: str, schema: str, *, also_drop: Sequence[str] = ()
) -> None:
    """Create `schema` if missing, drop the kit's tables (and `also_drop`), install them empty."""
    exists = await connection.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema)
    if not exists:
        _create_schema_as_superuser(dsn, schema)
    tables = ", ".join(f"{schema}.{table}" for table in (*KIT_TABLES, *also_drop))
    await connection.execute(f"DROP TABLE IF EXISTS {tables}")
    await install(connection, schema)


async def connect(dsn: str) -> asyncpg.Connection:
    """Connect as the owner role, or fail the test saying how to provision the database."""
    try:
        return await asyncpg.connect(dsn)
    except (OSError, asyncpg.PostgresError) as exc:
        database = urlsplit(dsn).path.lstrip("/")
        pytest.fail(f"{exc}: run deploy/local/provision.sh {database} first")


def _create_schema_as_superuser(dsn: str, schema: str) -> None:
    parts = urlsplit(dsn)
    database, owner = parts.path.lstrip("/"), parts.username or "jumin_registry_owner"
    port = str(parts.port or 5432)
    switch = (
        ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    )
    sql = f'CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION "{owner}"'
    done = subprocess.run(
        [
            *switch,
            "psql",
            "-X",
            "-q",
            "-p",
            port,
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ],
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"cannot create schema {schema} in {database}: {done.stderr.strip()}")
