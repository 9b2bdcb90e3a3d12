"""The session set-up every adapter's integration tests make the same way (cs_adapter,
koseki_adapter, moj_notify): spans to a file, a staff key pair, the test settings on the
sandbox's broker user, and the owner's connection on emptied tables.

Each adapter's conftest names its fixtures and calls these; the fixtures every adapter has the
same way are made here for it:

    sandbox = sandbox_fixture("jumin_moj_test")
    trace_file = trace_file_fixture("moj-notify")
    db = db_fixture("moj_notify", TABLES)
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg
import pytest
from jumin_platform.db import check_identifier
from jumin_platform.devkeys import generate_keypair
from jumin_platform.telemetry import JsonLinesExporter, configure
from jumin_platform.topology import Topology
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from pydantic import BaseModel, SecretStr

from jumin_testing.broker import Sandbox, sandbox_vhost

__all__ = [
    "db_fixture",
    "emptied_schema",
    "owner_rows",
    "sandbox_fixture",
    "span_file",
    "staff_keys",
    "test_settings",
    "trace_file_fixture",
]

S = TypeVar("S", bound=BaseModel)


def span_file(tmp_path_factory: pytest.TempPathFactory, service: str) -> Path:
    """Spans of this test session (JSON lines), for the no-personal-data check.

    Another test package may have installed the tracer provider already: the file is added to
    whichever provider is current."""
    path = tmp_path_factory.mktemp("traces") / "spans.jsonl"
    provider = configure(f"{service}-test", trace_dir=path.parent / "default")
    provider.add_span_processor(SimpleSpanProcessor(JsonLinesExporter(path)))
    return path


def staff_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with a staff-token key pair (`private.pem`, `public.pem`)."""
    directory = tmp_path_factory.mktemp("keys")
    generate_keypair(directory / "private.pem", directory / "public.pem")
    return directory


def test_settings(base: S, sandbox: Sandbox, user: str, keys: Path, **update: Any) -> S:
    """The adapter's settings on a *test* database, as broker `user` in the sandbox, with the
    test key pair's public half (and `update`)."""
    url = base.migration_database_url.get_secret_value()  # type: ignore[attr-defined]
    if "test" not in urlsplit(url).path:
        pytest.fail("run against a *test* database: deploy/local/with-env.sh jumin_test …")
    changes = {
        "amqp_url": SecretStr(sandbox.url(user)),
        "jwt_public_key_file": keys / "public.pem",
    }
    return base.model_copy(update=changes | update)


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


async def emptied_schema(
    settings: Any, sandbox: Sandbox, schema: str, tables: Sequence[str] | str
) -> asyncpg.Connection[Any]:
    """Purge the sandbox's queues and empty the adapter's tables (手動連携 off, the feed cursor
    at 0); return the owner's connection on the schema, decoding json."""
    await sandbox.purge_queues()
    connection = await asyncpg.connect(settings.migration_database_url.get_secret_value())
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )
    listed = tables if isinstance(tables, str) else ", ".join(tables)
    await connection.execute(
        f"SET search_path = {check_identifier(schema)}; TRUNCATE {listed} CASCADE"
    )
    await connection.execute(
        "UPDATE manual_mode SET manual = false, changed_by = NULL, reason = NULL;"
        "UPDATE notification_cursor SET cursor = 0"
    )
    return connection


async def owner_rows(settings: Any, query: str) -> list[dict[str, Any]]:
    """The rows *query* reads, on a connection of its own as the owner (for polling from a
    fixture, outside any test's `db`)."""
    connection = await asyncpg.connect(settings.migration_database_url.get_secret_value())
    try:
        rows = await connection.fetch(query)
    finally:
        await connection.close()
    return [dict(row) for row in rows]


# ---- the fixtures every adapter's conftest makes the same way ----------------------------------
def sandbox_fixture(prefix: str) -> Any:
    """The session's `sandbox`: a vhost `<prefix>_<hex>` with the topology and the real users'
    permissions, deleted at the end."""

    @pytest.fixture(scope="session")
    async def sandbox() -> AsyncIterator[Sandbox]:
        async with sandbox_vhost(Topology(), prefix=prefix) as made:
            yield made

    return sandbox


def trace_file_fixture(service: str) -> Any:
    """The session's `trace_file`: spans of *service* as JSON lines, for the no-personal-data
    check (`span_file`)."""

    @pytest.fixture(scope="session")
    def trace_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
        return span_file(tmp_path_factory, service)

    return trace_file


def db_fixture(schema: str, tables: Sequence[str] | str) -> Any:
    """A test's `db`: the owner's connection on the adapter's emptied tables and purged queues
    (`emptied_schema`), closed after."""

    @pytest.fixture
    async def db(settings: Any, sandbox: Sandbox) -> AsyncIterator[asyncpg.Connection[Any]]:
        connection = await emptied_schema(settings, sandbox, schema, tables)
        yield connection
        await connection.close()

    return db
