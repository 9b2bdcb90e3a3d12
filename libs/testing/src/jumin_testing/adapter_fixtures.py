"""The session pieces an adapter's integration conftest builds the same way every time.

- `trace_file`: spans of the session as JSON lines (telemetry configured as in production), for
  the no-personal-data checks.
- `token_keys`: a key pair the adapter verifies its operators' tokens with.
- `require_test_database`: refuse to run against anything but a *test* database.
- `emptied_schema`: the owner's connection on the adapter's schema with its tables emptied.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
from jumin_platform.devkeys import generate_keypair
from jumin_platform.telemetry import JsonLinesExporter, configure
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

__all__ = ["emptied_schema", "require_test_database", "token_keys", "trace_file"]


def trace_file(tmp_path_factory: pytest.TempPathFactory, service: str) -> Path:
    """Configure telemetry for the session; return the file its spans are written to."""
    path = tmp_path_factory.mktemp("traces") / "spans.jsonl"
    provider = configure(service, trace_dir=path.parent / "default")
    provider.add_span_processor(SimpleSpanProcessor(JsonLinesExporter(path)))
    return path


def token_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with `private.pem` and `public.pem` for operator tokens."""
    directory = tmp_path_factory.mktemp("keys")
    generate_keypair(directory / "private.pem", directory / "public.pem")
    return directory


def require_test_database(url: str) -> None:
    """Fail unless `url` names a *test* database (tests empty its tables)."""
    database = urlsplit(url).path.lstrip("/")
    if "test" not in database:
        pytest.fail("run against a *test* database: deploy/local/with-env.sh jumin_test …")


async def emptied_schema(
    url: str, schema: str, tables: Sequence[str], *, resets: str = ""
) -> asyncpg.Connection[Any]:
    """Connect as the owner (JSON decoded), search `schema`, empty `tables`, run `resets`."""
    connection: asyncpg.Connection[Any] = await asyncpg.connect(url)
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )
    await connection.execute(f"SET search_path = {schema}; TRUNCATE {', '.join(tables)} CASCADE")
    if resets:
        await connection.execute(resets)
    return connection
