"""Tamper with an アクセスログ (access log) the way an intruder with superuser rights could, to test
that `audit verify` / `audit checkpoint` catch it.

Shared by the registry (`registry.access_log`, `jumin`) and cs_adapter (`cs_adapter.access_log`,
`jumin-cs-adapter`) integration tests; parametrised by table, DSN and console-script name.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import asyncpg
import pytest

COLUMNS = (
    "seq, occurred_at, operator, terminal, function, subjects, my_number_accessed, outcome,"
    " status_code, trace_id, prev_hash, row_hash"
)
"""Every column of an access-log row, in insert order."""

_NAMES = tuple(c.strip() for c in COLUMNS.split(","))
CONTENT = _NAMES[1:]
"""The columns a row's hash covers besides its position (all but `seq`)."""


def literal(value: Any) -> str:
    """Render a value of an access-log row as an SQL literal (exact round trip)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, bytes):
        return f"'\\x{value.hex()}'::bytea"
    if isinstance(value, list):
        return "ARRAY[" + ",".join(literal(v) for v in value) + "]::text[]"
    return "'" + str(value).replace("'", "''") + "'"


def reinsert(table: str, rows: Iterable[Mapping[str, Any]]) -> str:
    """The INSERT that puts deleted rows of `table` back exactly as they were."""
    values = ", ".join("(" + ", ".join(literal(row[c]) for c in _NAMES) + ")" for row in rows)
    return f"INSERT INTO {table} ({COLUMNS}) VALUES {values}"


class Superuser:
    """Run SQL as the PostgreSQL superuser over the local socket, bypassing the guards
    (the append-only triggers are off for the one transaction: session_replication_role = replica)."""

    def __init__(self, dsn: str) -> None:
        parsed = urlparse(dsn)
        self._database = parsed.path.lstrip("/")
        self._port = str(parsed.port or 5432)

    def run(self, sql: str) -> None:
        """Run `sql` in one transaction; raise AssertionError with psql's stderr if it fails."""
        switch = (
            ["runuser", "-u", "postgres", "--"]
            if os.geteuid() == 0
            else ["sudo", "-u", "postgres", "--"]
        )
        script = f"BEGIN; SET LOCAL session_replication_role = replica; {sql}; COMMIT;"
        psql = ["psql", "-X", "-q", "-p", self._port, "-d", self._database]
        done = subprocess.run(
            [*switch, *psql, "-v", "ON_ERROR_STOP=1", "-c", script],
            cwd="/",
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(done.stderr)


@contextlib.contextmanager
def tail_removed(
    superuser: Superuser, table: str, removed: Sequence[Mapping[str, Any]]
) -> Iterator[None]:
    """Truncate the log's tail from `removed[0]` on, as an intruder would; put it back after."""
    superuser.run(f"DELETE FROM {table} WHERE seq >= {removed[0]['seq']}")
    try:
        yield
    finally:
        superuser.run(reinsert(table, removed))


class AuditCli:
    """Run a service's `<script> audit …` console script as an operator would, with the caller's
    environment; falls back to `python -m <module>` where the script is not installed."""

    def __init__(self, script: str, module: str, cwd: Path) -> None:
        self._script = script
        self._module = module
        self._cwd = cwd

    def audit(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run `<script> audit <arguments>`."""
        tool = Path(sys.executable).with_name(self._script)
        command = [str(tool)] if tool.exists() else [sys.executable, "-m", self._module]
        return subprocess.run(
            [*command, "audit", *arguments],
            cwd=self._cwd,
            env=None,  # the caller's environment, inherited
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def verify(self, *options: str) -> subprocess.CompletedProcess[str]:
        """Run `<script> audit verify <options>`."""
        return self.audit("verify", *options)

    def checkpoint(self) -> str:
        """Run `<script> audit checkpoint`; return the one line an auditor keeps outside the database."""
        taken = self.audit("checkpoint")
        if taken.returncode != 0:
            raise AssertionError(taken.stderr)
        if "outside the database" not in taken.stderr:
            raise AssertionError(
                f"no hint to keep the checkpoint outside the database: {taken.stderr}"
            )
        (line,) = taken.stdout.splitlines()
        return line


async def assert_service_role_cannot_change(service_dsn: str, table: str, seq: int) -> None:
    """Connect as a service's role and fail unless UPDATE, DELETE and TRUNCATE of its access log
    are refused for lack of privilege (the role is granted SELECT and INSERT only)."""
    service = await asyncpg.connect(service_dsn)
    try:
        for sql in (
            f"UPDATE {table} SET operator = 'intruder' WHERE seq = $1",
            f"DELETE FROM {table} WHERE seq = $1",
        ):
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
                await service.execute(sql, seq)
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            await service.execute(f"TRUNCATE {table}")
    finally:
        await service.close()
