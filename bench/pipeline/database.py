"""`bench.pipeline`'s database: fresh tables before the run, the delivery checks after it."""

from __future__ import annotations

import os
import subprocess
from collections import Counter, defaultdict
from typing import Any
from urllib.parse import urlparse

import asyncpg
from jumin_platform.consumer import install

from bench.pipeline.processes import Pipeline
from bench.pipeline.settings import KIT_TABLES, RECIPIENTS, REGISTRY_TABLES, BenchConfig, schema_of


def _as_postgres(database: str, sql: str) -> None:
    switch = (
        ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    )
    done = subprocess.run(
        [*switch, "psql", "-X", "-q", "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql],
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"psql as postgres on {database} failed: {done.stderr.strip()}")


async def prepare_database(config: BenchConfig) -> None:
    """Empty the registry; give each recipient's kit fresh tables in its own schema."""
    owner = urlparse(config.owner_dsn)
    service_role = urlparse(config.service_dsn).username or "jumin_registry"
    connection = await asyncpg.connect(config.owner_dsn)
    try:
        missing = [
            r
            for r in RECIPIENTS
            if not await connection.fetchval(
                "SELECT 1 FROM pg_namespace WHERE nspname = $1", schema_of(r)
            )
        ]
        if missing:  # the owner role may not CREATE SCHEMA: provisioning's job, done here once
            _as_postgres(
                owner.path.lstrip("/"),
                "; ".join(
                    f'CREATE SCHEMA IF NOT EXISTS {schema_of(r)} AUTHORIZATION "{owner.username}"; '
                    f'GRANT USAGE ON SCHEMA {schema_of(r)} TO "{service_role}"'
                    for r in missing
                ),
            )
        await connection.execute(f"TRUNCATE {REGISTRY_TABLES} CASCADE")
        await connection.execute("ALTER SEQUENCE registry.atena_seq RESTART")
        await connection.execute("ALTER SEQUENCE registry.household_seq RESTART")
        for recipient in RECIPIENTS:
            schema = schema_of(recipient)
            await connection.execute(
                "DROP TABLE IF EXISTS " + ", ".join(f"{schema}.{t}" for t in KIT_TABLES)
            )
            await install(connection, schema, grant_to=service_role)
    finally:
        await connection.close()


async def verify(pipeline: Pipeline, owner: asyncpg.Connection[Any]) -> dict[str, Any]:
    """Per-person order and exactly-once over every phase; inbox = outbox; nothing left over."""
    outbox = {
        r["recipient"]: r["n"]
        for r in await owner.fetch(
            "SELECT recipient, count(*) AS n FROM registry.outbox GROUP BY 1"
        )
    }
    unpublished = await owner.fetchval(
        "SELECT count(*) FROM registry.outbox WHERE published_at IS NULL"
    )
    problems: list[str] = []
    if unpublished:
        problems.append(f"{unpublished} outbox rows unpublished")
    for recipient in RECIPIENTS:
        schema = schema_of(recipient)
        handled = pipeline.handled[recipient]
        events = Counter(row[0] for row in handled)
        twice = sum(1 for n in events.values() if n > 1)
        if twice:
            problems.append(f"{recipient}: {twice} events handled more than once")
        seqs: defaultdict[str, list[int]] = defaultdict(list)
        for _, _, person_key, seq, _, _ in handled:
            seqs[person_key].append(seq)
        disordered = [p for p, s in seqs.items() if s != list(range(1, len(s) + 1))]
        if disordered:
            problems.append(f"{recipient}: {len(disordered)} people out of order")
        inbox = await owner.fetchval(f"SELECT count(*) FROM {schema}.inbox")
        parked = await owner.fetchval(f"SELECT count(*) FROM {schema}.parked")
        blocked = await owner.fetchval(
            f"SELECT count(*) FROM {schema}.person_progress WHERE blocked_event_id IS NOT NULL"
        )
        expected = outbox.get(recipient, 0)
        if not inbox == len(handled) == expected:
            problems.append(
                f"{recipient}: inbox {inbox}, handled {len(handled)}, outbox {expected}"
            )
        if parked or blocked:
            problems.append(f"{recipient}: {parked} parked, {blocked} blocked")
    if problems:
        raise SystemExit("pipeline checks failed: " + "; ".join(problems))
    return {"messages_checked": sum(outbox.values()), "by_recipient_total": outbox}
