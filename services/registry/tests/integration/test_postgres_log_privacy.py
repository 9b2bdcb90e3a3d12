"""No personal data in PostgreSQL's own log (issue 10): the service roles log errors tersely.

A constraint violation's DETAIL repeats the failing row (names, address, birth date) or its key.
Provisioning sets `log_error_verbosity = terse` for the service roles, so the server log keeps
the message naming the constraint and the STATEMENT (SQL text with $n placeholders), not the row.
Each constraint below guards rows the API writes; the test violates it as the service role and
reads what the server log gained meanwhile (as root or through sudo; unreadable is a failure).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import asyncpg
import httpx
import pytest
from registry.config import Settings

from .helpers import TokenFactory, by_given_name, enter_and_approve, move_in, person, submit

HEAD = person("鴫原", "惟臣", "シギハラ", "コレオミ", birth_date="1971-03-09")
WIFE = person(
    "鴫原", "小夜", "シギハラ", "サヨ", relationship="妻", birth_date="1973-11-27", sex="female"
)
SON = person("鴫原", "蒼汰", "シギハラ", "ソウタ", birth_date="2001-02-03")
ADDRESS = "大久保三丁目14番4号"
PLAIN_MY_NUMBER = "123456789018"
SECRETS = (
    *("鴫原", "惟臣", "小夜", "蒼汰", "シギハラ", "コレオミ", "ソウタ"),
    *("1971-03-09", "1973-11-27", "2001-02-03", ADDRESS, PLAIN_MY_NUMBER),
)

# A copy of a person's latest history row, changed to break one CHECK, then inserted.
COPY = "CREATE TEMP TABLE copy ON COMMIT DROP AS SELECT * FROM registry.resident_history LIMIT 0"
LATEST = """INSERT INTO copy SELECT * FROM registry.resident_history WHERE atena_no = $1
            ORDER BY history_no DESC LIMIT 1"""
BROKEN = {
    "history_my_number_sealed": f"my_number = '{PLAIN_MY_NUMBER}'",
    "history_head_relationship": "is_head = NOT is_head",
    "resident_history_sex_check": "sex = 'unknown'",
    "history_foreign_has_no_honseki": "resident_type = 'foreign'",
}
APPEND = "INSERT INTO registry.resident_history SELECT * FROM copy"
MAKER_APPROVES = """UPDATE registry.changes SET status = 'approved', decided_by = created_by,
                    decided_at = now() WHERE change_id = $1"""
SECOND_HEAD = "UPDATE registry.resident_current SET is_head = true WHERE atena_no = $1"
SAME_PERSON_TWICE = """INSERT INTO registry.resident_current
                       SELECT * FROM registry.resident_current WHERE atena_no = $1"""


def _as_postgres(*argv: str) -> list[str]:
    switch = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-n", "-u"]
    return [*switch, *([] if os.geteuid() == 0 else ["postgres", "--"]), *argv]


def server_log(settings: Settings) -> Path:
    """The file the cluster logs to: the collector's current file, else Debian's stderr file."""
    port = str(urlparse(settings.database_url.get_secret_value()).port or 5432)
    query = (
        "SELECT current_setting('data_directory'), coalesce(pg_current_logfile(), ''),"
        " replace(current_setting('cluster_name'), '/', '-')"
    )
    done = subprocess.run(
        _as_postgres("psql", "-X", "-At", "-F", "\t", "-p", port, "-d", "postgres", "-c", query),
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
    )
    assert done.returncode == 0, f"cannot ask the cluster for its log file: {done.stderr}"
    data_directory, collected, cluster = done.stdout.strip().split("\t")
    if collected:
        return Path(data_directory) / collected
    return Path(f"/var/log/postgresql/postgresql-{cluster}.log")


def log_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        pytest.fail(f"cannot read PostgreSQL's log {path} (run as root): {exc}")


def log_since(path: Path, offset: int) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", errors="replace")
    except OSError as exc:
        pytest.fail(f"cannot read PostgreSQL's log {path} (run as root): {exc}")


async def in_transaction(connection: Any, steps: tuple[tuple[Any, ...], ...]) -> None:
    async with connection.transaction():
        for sql, *args in steps:
            await connection.execute(sql, *args)


async def violated(connection: Any, *steps: tuple[Any, ...]) -> str:
    """Run the steps in one transaction that must fail on a constraint; return its name."""
    with pytest.raises(asyncpg.IntegrityConstraintViolationError) as caught:
        await in_transaction(connection, steps)
    return str(caught.value.constraint_name)


async def test_constraint_violations_leave_no_personal_data_in_the_postgres_log(
    client: httpx.AsyncClient, token: TokenFactory, settings: Settings
) -> None:
    log = server_log(settings)
    members = await by_given_name(
        client, token, await enter_and_approve(client, token, move_in(HEAD, WIFE, address=ADDRESS))
    )
    head, wife = members["惟臣"]["atena_no"], members["小夜"]["atena_no"]
    pending = await submit(client, token, move_in(SON, address=ADDRESS))
    start = log_size(log)

    service = await asyncpg.connect(settings.database_url.get_secret_value())  # the service role
    try:
        history = [
            await violated(
                service, (COPY,), (LATEST, head), (f"UPDATE copy SET {broken}",), (APPEND,)
            )
            for broken in BROKEN.values()
        ]
        others = [
            await violated(service, (MAKER_APPROVES, pending["change_id"])),
            await violated(service, (SECOND_HEAD, wife)),
            await violated(service, (SAME_PERSON_TWICE, head)),
        ]
    finally:
        await service.close()

    assert history == list(BROKEN)
    assert others == [
        "changes_maker_is_not_checker",
        "resident_current_one_head",
        "resident_current_pkey",
    ]
    written = log_since(log, start)
    assert all(name in written for name in [*history, *others]), (
        f"the violations are not in {log}: is it the cluster's log?"
    )
    assert not [secret for secret in SECRETS if secret in written], written[-3000:]
