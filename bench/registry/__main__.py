"""`make bench-registry`: load a synthetic 新宿区 into jumin_bench, then time the registry's reads.

Steps (each timed on its own):

1. generate `BENCH_SCALE` residents (default 1,000,000) with `bench.synthetic_ward`;
2. load them as the schema owner in one transaction: TRUNCATE, drop the tables' primary and
   foreign keys and secondary indexes, COPY (asyncpg ``copy_records_to_table``), rebuild the
   keys and indexes from the definitions read before dropping them; then VACUUM (ANALYZE);
3. as the service role, on a pool from ``jumin_platform.db.create_pool``, run `BENCH_QUERIES`
   (default 1,000) random real inputs through the registry's own repositories — kana prefix
   search (as typed, and ignoring 清音・濁音・半濁音), resident as-of, household as-of — and a bare
   primary-key lookup as the baseline;
4. time the 住所辞書's build at start-up against a raw read of its rows (`bench.registry.dictionary`).

Environment: JUMIN_REGISTRY_DATABASE_URL (service role), JUMIN_REGISTRY_MIGRATION_DATABASE_URL
(schema owner; its database name must contain "bench", the tables are emptied), BENCH_SCALE,
BENCH_QUERIES, BENCH_SEED, BENCH_OUTPUT (default bench/results/registry.json).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import random
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

import asyncpg
from jumin_platform.db import create_pool
from jumin_platform.my_number_vault import MyNumberVault, generate_key_file, load_vault
from registry.adapters.history_repository import HistoryRepository
from registry.adapters.search_repository import SearchCriteria, SearchRepository
from registry.config import Settings
from registry.domain.search_keys import kana_search_key

from bench.common.database import bench_owner_dsn
from bench.registry.dictionary import measure_dictionary, print_dictionary
from bench.synthetic_ward.dates import REFERENCE_DAY
from bench.synthetic_ward.generator import generate_ward
from bench.synthetic_ward.records import CHANGE_COLUMNS, HOUSEHOLD_COLUMNS, RecordShape
from bench.synthetic_ward.state import SyntheticWard

DEFAULT_SCALE = 1_000_000
DEFAULT_QUERIES = 1_000
DEFAULT_SEED = 20_261_127
WARM_UP_QUERIES = 100
SEARCH_LIMIT = 20
TARGET_LOAD_PER_S = 20_000
TARGET_P99_MS = 20.0
TABLES = ("households", "changes", "resident_history", "resident_current")  # COPY order
PK_LOOKUP = "SELECT * FROM registry.resident_history WHERE atena_no = $1 AND history_no = $2"
QUERY_NAMES = (
    "baseline_pk_lookup",
    "search_kana",
    "search_kana_ignoring_voicing",
    "resident_as_of",
    "household_as_of",
)


@dataclass(frozen=True)
class BenchConfig:
    """Hold the run's settings, read from the environment."""

    scale: int
    queries: int
    seed: int
    output: Path
    service_dsn: str
    owner_dsn: str

    @classmethod
    def from_env(cls) -> BenchConfig:
        """Read BENCH_* and the registry's database settings; refuse a non-bench database."""
        settings = Settings()
        owner_dsn = bench_owner_dsn(settings)
        return cls(
            scale=int(os.environ.get("BENCH_SCALE", DEFAULT_SCALE)),
            queries=int(os.environ.get("BENCH_QUERIES", DEFAULT_QUERIES)),
            seed=int(os.environ.get("BENCH_SEED", DEFAULT_SEED)),
            output=Path(os.environ.get("BENCH_OUTPUT", "bench/results/registry.json")),
            service_dsn=settings.database_url.get_secret_value(),
            owner_dsn=owner_dsn,
        )


# --- generation ----------------------------------------------------------------------------------

COLUMNS_OF = """
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
 ORDER BY attnum
"""


async def _shape(connection: asyncpg.Connection[Any], table: str) -> RecordShape:
    """Read a table's columns and types from the catalog."""
    rows = await connection.fetch(COLUMNS_OF, f"registry.{table}")
    return RecordShape.of([(r["attname"], r["format_type"]) for r in rows])


def _vault_if_sealed(history: RecordShape) -> MyNumberVault | None:
    """Return the service's 個人番号 key ring when the schema stores sealed numbers."""
    if "my_number_hash" not in history.columns:
        return None
    path = Settings().my_number_key_file
    generate_key_file(path)
    return load_vault(path)


async def generate(config: BenchConfig) -> tuple[SyntheticWard, float]:
    """Generate the ward for the tables as they are; return it and the seconds it took."""
    connection = await asyncpg.connect(config.owner_dsn)
    try:
        history = await _shape(connection, "resident_history")
        current = await _shape(connection, "resident_current")
    finally:
        await connection.close()
    started = perf_counter()
    ward = generate_ward(
        config.scale,
        seed=config.seed,
        history_shape=history,
        current_shape=current,
        vault=_vault_if_sealed(history),
    )
    return ward, perf_counter() - started


# --- loading -------------------------------------------------------------------------------------

KEYS = """
SELECT c.conrelid::regclass::text AS table_name, c.conname AS name, c.contype::text AS type,
       pg_get_constraintdef(c.oid) AS definition
  FROM pg_constraint c
 WHERE c.contype IN ('p', 'f', 'x')
   AND (c.conrelid = ANY ($1::regclass[]) OR c.confrelid = ANY ($1::regclass[]))
 ORDER BY c.contype, c.conname
"""

SECONDARY_INDEXES = """
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
  FROM pg_index i
 WHERE i.indrelid = ANY ($1::regclass[])
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                    WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
 ORDER BY 1
"""


@dataclass(frozen=True)
class Schema:
    """Hold the tables' keys and secondary indexes as SQL that (re-)creates them."""

    primary_keys: tuple[tuple[str, str], ...]  # (name, SQL)
    indexes: tuple[tuple[str, str], ...]
    exclusions: tuple[tuple[str, str], ...]  # e.g. one 世帯主 per household
    foreign_keys: tuple[tuple[str, str], ...]

    @property
    def statements(self) -> tuple[tuple[str, str], ...]:
        """Return (name, SQL) in a workable order: primary keys, indexes, exclusions, foreign keys."""
        return self.primary_keys + self.indexes + self.exclusions + self.foreign_keys


@dataclass
class LoadTimings:
    """Hold what the load took: COPY, key/index rebuild, the whole transaction, maintenance."""

    copy_s: dict[str, float] = field(default_factory=dict)
    rebuild_s: dict[str, float] = field(default_factory=dict)  # per key or index
    index_build_s: float = 0.0
    load_s: float = 0.0
    vacuum_analyze_s: float = 0.0


async def _schema(connection: asyncpg.Connection[Any]) -> tuple[Schema, list[str]]:
    """Read the loaded tables' keys and indexes; also return the SQL that drops them."""
    tables = [f"registry.{t}" for t in TABLES]
    keys = await connection.fetch(KEYS, tables)  # 'f' sorts before 'p': foreign keys drop first
    indexes = await connection.fetch(SECONDARY_INDEXES, tables)
    if not any(k["type"] == "p" for k in keys):
        raise SystemExit("the registry tables have no primary keys: re-provision jumin_bench")

    def add(key: asyncpg.Record) -> tuple[str, str]:
        sql = f'ALTER TABLE {key["table_name"]} ADD CONSTRAINT "{key["name"]}" {key["definition"]}'
        return key["name"], sql

    schema = Schema(
        primary_keys=tuple(add(k) for k in keys if k["type"] == "p"),
        indexes=tuple((i["name"], i["definition"]) for i in indexes),
        exclusions=tuple(add(k) for k in keys if k["type"] == "x"),
        foreign_keys=tuple(add(k) for k in keys if k["type"] == "f"),
    )
    drops = [f'ALTER TABLE {k["table_name"]} DROP CONSTRAINT "{k["name"]}"' for k in keys]
    return schema, drops + [f"DROP INDEX {i['name']}" for i in indexes]


async def _copy(connection: asyncpg.Connection[Any], ward: SyntheticWard) -> dict[str, float]:
    """COPY every table; return the seconds per table."""
    history, current = (
        await _shape(connection, "resident_history"),
        await _shape(connection, "resident_current"),
    )
    batches = {
        "households": (HOUSEHOLD_COLUMNS, ward.households),
        "changes": (CHANGE_COLUMNS, ward.changes),
        "resident_history": (history.columns, ward.history),
        "resident_current": (current.columns, ward.current),
    }
    seconds = {}
    for table in TABLES:
        columns, records = batches[table]
        started = perf_counter()
        await connection.copy_records_to_table(
            table, schema_name="registry", columns=list(columns), records=records
        )
        seconds[table] = perf_counter() - started
    return seconds


async def _rebuild(connection: asyncpg.Connection[Any], schema: Schema) -> dict[str, float]:
    """Re-create the keys and indexes, check them against the catalog; return seconds each."""
    seconds = {}
    for name, statement in schema.statements:
        started = perf_counter()
        await connection.execute(statement)
        seconds[name] = perf_counter() - started
    if (await _schema(connection))[0] != schema:  # raising rolls the whole load back
        raise RuntimeError("keys or indexes differ after the load; rolled back")
    return seconds


async def _replace(
    connection: asyncpg.Connection[Any], ward: SyntheticWard, timings: LoadTimings
) -> None:
    """In one transaction: empty the tables, drop keys and indexes, COPY, re-create them."""
    async with connection.transaction():
        await connection.execute("SET LOCAL maintenance_work_mem = '1GB'")
        # CASCADE: the outbox (and the commands' tables) refer to registry.changes.
        await connection.execute(f"TRUNCATE {', '.join(f'registry.{t}' for t in TABLES)} CASCADE")
        schema, drops = await _schema(connection)
        for statement in drops:
            await connection.execute(statement)
        timings.copy_s = await _copy(connection, ward)
        timings.rebuild_s = await _rebuild(connection, schema)
        timings.index_build_s = sum(timings.rebuild_s.values())


async def load(config: BenchConfig, ward: SyntheticWard) -> LoadTimings:
    """Replace the register with the ward, then VACUUM (ANALYZE) and advance the sequences."""
    timings = LoadTimings()
    connection = await asyncpg.connect(config.owner_dsn)
    try:
        started = perf_counter()
        await _replace(connection, ward, timings)
        timings.load_s = perf_counter() - started
        maintenance = perf_counter()
        await connection.execute(f"VACUUM (ANALYZE) {', '.join(f'registry.{t}' for t in TABLES)}")
        timings.vacuum_analyze_s = perf_counter() - maintenance
        await _advance_sequences(connection, ward)
    finally:
        await connection.close()
    return timings


async def _advance_sequences(connection: asyncpg.Connection[Any], ward: SyntheticWard) -> None:
    """Move the number sequences past the loaded 宛名番号 and 世帯番号."""
    await connection.execute("SELECT setval('registry.atena_seq', $1)", len(ward.residents))
    await connection.execute(
        "SELECT setval('registry.household_seq', $1)", len(ward.household_samples)
    )


# --- queries -------------------------------------------------------------------------------------

Query = Callable[[Any], Awaitable[int]]  # runs on a pooled connection, returns rows found


def _pk_lookup(rng: random.Random, ward: SyntheticWard, _: datetime) -> Query:
    """Fetch one history row by its primary key with bare asyncpg (the baseline)."""
    resident = rng.choice(ward.residents)
    history_no = rng.randint(1, resident.rows)

    async def run(connection: Any) -> int:
        return int(await connection.fetchrow(PK_LOOKUP, resident.atena_no, history_no) is not None)

    return run


def _search_kana(rng: random.Random, ward: SyntheticWard, _: datetime) -> Query:
    """Search by a real resident's normalised family-name kana (a kana_key prefix)."""
    criteria = SearchCriteria(kana=rng.choice(ward.residents).family_kana)

    async def run(connection: Any) -> int:
        rows = await SearchRepository(connection).search(
            criteria, today=REFERENCE_DAY, limit=SEARCH_LIMIT, offset=0
        )
        return len(rows)

    return run


def _search_kana_ignoring_voicing(rng: random.Random, ward: SyntheticWard, _: datetime) -> Query:
    """Search by a real resident's family-name kana with 清音・濁音・半濁音 ignored (あいまい検索)."""
    kana = kana_search_key(rng.choice(ward.residents).family_kana, ignore_voicing=True)
    criteria = SearchCriteria(kana=kana, ignore_voicing=True)

    async def run(connection: Any) -> int:
        rows = await SearchRepository(connection).search(
            criteria, today=REFERENCE_DAY, limit=SEARCH_LIMIT, offset=0
        )
        return len(rows)

    return run


def _day_after(rng: random.Random, start: date) -> date:
    """Draw a day from `start` to REFERENCE_DAY."""
    return start + timedelta(days=rng.randint(0, max(0, (REFERENCE_DAY - start).days)))


def _resident_as_of(rng: random.Random, ward: SyntheticWard, known_at: datetime) -> Query:
    """Read a random resident's record on a random day (from a year before they came)."""
    resident = rng.choice(ward.residents)
    on = _day_after(rng, resident.entered_on - timedelta(days=365))

    async def run(connection: Any) -> int:
        rows = await HistoryRepository(connection).in_force(
            [resident.atena_no], on=on, known_at=known_at
        )
        return len(rows)

    return run


def _household_as_of(rng: random.Random, ward: SyntheticWard, known_at: datetime) -> Query:
    """Read a random household's members on a random day (from half a year before it formed)."""
    household = rng.choice(ward.household_samples)
    on = _day_after(rng, household.formed_on - timedelta(days=182))

    async def run(connection: Any) -> int:
        rows = await HistoryRepository(connection).household_as_of(
            household.household_no, on=on, known_at=known_at
        )
        return len(rows)

    return run


QUERY_MAKERS = {
    "baseline_pk_lookup": _pk_lookup,
    "search_kana": _search_kana,
    "search_kana_ignoring_voicing": _search_kana_ignoring_voicing,
    "resident_as_of": _resident_as_of,
    "household_as_of": _household_as_of,
}


@dataclass(frozen=True)
class Latencies:
    """Hold the timed latencies (ms) of one query kind and how much the queries found."""

    ms: list[float]
    rows_found: int

    def percentile(self, q: float) -> float:
        """Return the nearest-rank percentile (q in 0..100)."""
        ordered = sorted(self.ms)
        return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


async def _time(pool: asyncpg.Pool[Any], queries: list[Query]) -> Latencies:
    """Run queries one after another, each on a connection acquired from the pool."""
    latencies, found = [], 0
    for query in queries:
        started = perf_counter()
        async with pool.acquire() as connection:
            found += await query(connection)
        latencies.append((perf_counter() - started) * 1000)
    return Latencies(latencies, found)


async def measure(config: BenchConfig, ward: SyntheticWard) -> dict[str, Latencies]:
    """Warm up, then time `config.queries` random real inputs of every query kind."""
    rng = random.Random(config.seed + 1)
    known_at = datetime.now(UTC)
    pool = await create_pool(config.service_dsn, min_size=1, max_size=2)
    try:
        results = {}
        for name, make in QUERY_MAKERS.items():
            await _time(pool, [make(rng, ward, known_at) for _ in range(WARM_UP_QUERIES)])
            results[name] = await _time(
                pool, [make(rng, ward, known_at) for _ in range(config.queries)]
            )
        return results
    finally:
        await pool.close()


# --- report --------------------------------------------------------------------------------------


async def _server_facts(config: BenchConfig) -> dict[str, str]:
    """Return the PostgreSQL version and the memory settings the numbers depend on."""
    connection = await asyncpg.connect(config.service_dsn)
    try:
        names = ("server_version", "shared_buffers", "work_mem", "effective_cache_size")
        return {name: str(await connection.fetchval(f"SHOW {name}")) for name in names}
    finally:
        await connection.close()


def _machine(server: dict[str, str]) -> dict[str, object]:
    """Describe the machine the numbers were taken on."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpu_count": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "postgresql": server,
    }


def build_result(
    config: BenchConfig,
    ward: SyntheticWard,
    generate_s: float,
    timings: LoadTimings,
    latencies: dict[str, Latencies],
    server: dict[str, str],
) -> dict[str, object]:
    """Assemble registry.json."""
    residents = len(ward.residents)
    result: dict[str, object] = {
        "residents": residents,
        "households": len(ward.household_samples),
        "foreign_residents": ward.foreign_residents,
        "history_rows": len(ward.history),
        "seed": config.seed,
        "generate_s": round(generate_s, 2),
        "load_s": round(timings.load_s, 2),
        "load_per_s": round(residents / timings.load_s),
        "load_includes_index_build": True,
        "load_covers": "one transaction: TRUNCATE, drop PK/FK/indexes, COPY 4 tables, "
        "re-create PK/indexes/FK (validated), COMMIT; not generation, not VACUUM ANALYZE; "
        "load_s = copy_s + index_build_s + load_other_s (TRUNCATE, DROP, catalog check, COMMIT)",
        "copy_s": round(sum(timings.copy_s.values()), 2),
        "copy_s_by_table": {t: round(s, 2) for t, s in timings.copy_s.items()},
        "index_build_s": round(timings.index_build_s, 2),
        "index_build_s_by_object": {n: round(s, 2) for n, s in timings.rebuild_s.items()},
        "load_other_s": round(
            timings.load_s - sum(timings.copy_s.values()) - timings.index_build_s, 2
        ),
        "vacuum_analyze_s": round(timings.vacuum_analyze_s, 2),
        "queries_per_kind": config.queries,
        "warm_up_queries_per_kind": WARM_UP_QUERIES,
        "query_timing": "wall time in the client: pool.acquire() + repository call + decoding "
        "into domain objects (the baseline: fetchrow only), one query at a time",
    }
    baseline_p99 = latencies["baseline_pk_lookup"].percentile(99)
    for name in QUERY_NAMES:
        lat = latencies[name]
        result[f"{name}_p50_ms"] = round(lat.percentile(50), 3)
        result[f"{name}_p99_ms"] = round(lat.percentile(99), 3)
        result[f"{name}_rows_found_per_query"] = round(lat.rows_found / len(lat.ms), 3)
        if name != "baseline_pk_lookup":
            result[f"{name}_p99_vs_baseline_p99"] = round(lat.percentile(99) / baseline_p99, 2)
    result["targets"] = _targets(result, latencies)
    result["machine"] = _machine(server)
    result["timestamp"] = datetime.now(UTC).isoformat(timespec="seconds")
    return result


def _targets(result: dict[str, object], latencies: dict[str, Latencies]) -> dict[str, object]:
    """Say whether the load and every query met its target."""
    load_per_s = result["load_per_s"]
    assert isinstance(load_per_s, int)
    met = {name: latencies[name].percentile(99) <= TARGET_P99_MS for name in QUERY_NAMES[1:]}
    return {
        "load_per_s_min": TARGET_LOAD_PER_S,
        "query_p99_ms_max": TARGET_P99_MS,
        "load_met": load_per_s >= TARGET_LOAD_PER_S,
        "query_p99_met": met,
    }


def print_table(result: dict[str, Any]) -> None:
    """Print the figures as a small table."""
    print(
        f"\nJumin registry bench: {result['residents']:,} residents in "
        f"{result['households']:,} households, {result['history_rows']:,} history rows "
        f"({result['machine']['cpu_count']} CPUs)"
    )
    print(f"  generate        {result['generate_s']:>9.1f} s   (not part of the load)")
    print(
        f"  load            {result['load_s']:>9.1f} s   = COPY {result['copy_s']:.1f} s + "
        f"keys/indexes {result['index_build_s']:.1f} s  → {result['load_per_s']:,} residents/s "
        f"(target ≥ {TARGET_LOAD_PER_S:,})"
    )
    print(f"  vacuum analyze  {result['vacuum_analyze_s']:>9.1f} s   (not part of the load)")
    print(f"\n  {'query':<20} {'p50 ms':>8} {'p99 ms':>8} {'p99/base':>9} {'rows/q':>7}")
    for name in QUERY_NAMES:
        ratio = result.get(f"{name}_p99_vs_baseline_p99", 1.0)
        print(
            f"  {name:<20} {result[f'{name}_p50_ms']:>8.2f} {result[f'{name}_p99_ms']:>8.2f} "
            f"{ratio:>9.2f} {result[f'{name}_rows_found_per_query']:>7.2f}"
        )
    print(f"  (target: p99 ≤ {TARGET_P99_MS:g} ms)\n")


async def main() -> None:
    """Generate, load, measure, report."""
    config = BenchConfig.from_env()
    print(f"generating {config.scale:,} residents (seed {config.seed}) …", flush=True)
    ward, generate_s = await generate(config)
    print(f"  {generate_s:.1f} s; loading …", flush=True)
    timings = await load(config, ward)
    print(f"  {timings.load_s:.1f} s; querying …", flush=True)
    latencies = await measure(config, ward)
    result = build_result(config, ward, generate_s, timings, latencies, await _server_facts(config))
    dictionary = result["address_dictionary"] = measure_dictionary()
    print_table(result)
    print_dictionary(dictionary)
    config.output.parent.mkdir(parents=True, exist_ok=True)
    config.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {config.output}")


if __name__ == "__main__":
    asyncio.run(main())
