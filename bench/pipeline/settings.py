"""`bench.pipeline`'s settings: what runs where, read from the environment (see its __main__.py)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from registry.config import Settings

from bench.common.database import bench_owner_dsn
from bench.pipeline.roles import BrokerPlan

RECIPIENTS = ("cs", "koseki", "moj", "intermediate", "certificates")
VHOST = "jumin_bench_pipeline"
BASELINE_QUEUE = "bench.baseline"
MOVES = 0.3
TARGET_RATIO = 0.5
TARGET_PACED_P99_MS = 100.0
REGISTRY_TABLES = (
    "registry.resident_current, registry.resident_history, registry.households, "
    "registry.support_measures, registry.outbox_sequences, registry.outbox, registry.changes, "
    "registry.command_inbox, registry.juminhyo_code_pool"
)
KIT_TABLES = ("inbox", "person_progress", "parked", "operator_actions")


@dataclass(frozen=True)
class BenchConfig:
    """The run's settings, read from the environment."""

    changes: int
    mode: str
    approvers: int
    paced_rates: tuple[float, ...]
    paced_seconds: float
    prefetch: int
    relay_batch: int
    baseline_prefetch: int
    partitions: str
    seed: int
    output: Path
    service_dsn: str
    owner_dsn: str
    key_file: Path
    amqp_host: str
    amqp_port: int

    @classmethod
    def from_env(cls) -> BenchConfig:
        settings = Settings()
        owner_dsn = bench_owner_dsn(settings)
        env = os.environ
        mode = env.get("BENCH_MODE", "backlog")
        if mode not in ("flood", "backlog"):
            raise SystemExit(f"BENCH_MODE must be flood or backlog, not {mode!r}")
        return cls(
            changes=int(env.get("BENCH_CHANGES", 20_000)),
            mode=mode,
            approvers=int(env.get("BENCH_APPROVERS", 8)),
            paced_rates=tuple(
                float(r) for r in env.get("BENCH_PACED_RATES", "200,80,40").split(",") if r.strip()
            ),
            paced_seconds=float(env.get("BENCH_PACED_SECONDS", 15)),
            prefetch=int(env.get("BENCH_PREFETCH", 32)),
            relay_batch=int(env.get("BENCH_RELAY_BATCH", settings.relay_batch_size)),
            baseline_prefetch=int(env.get("BENCH_BASELINE_PREFETCH", 100)),
            partitions=env.get("BENCH_PARTITIONS", ""),
            seed=int(env.get("BENCH_SEED", 20_261_127)),
            output=Path(env.get("BENCH_OUTPUT", "bench/results/pipeline.json")),
            service_dsn=settings.database_url.get_secret_value(),
            owner_dsn=owner_dsn,
            key_file=settings.my_number_key_file,
            amqp_host=env.get("JUMIN_AMQP_HOST", "127.0.0.1"),
            amqp_port=int(env.get("JUMIN_AMQP_PORT", 5672)),
        )

    @property
    def database(self) -> str:
        return urlparse(self.owner_dsn).path.lstrip("/")

    @property
    def plan(self) -> BrokerPlan:
        return BrokerPlan(VHOST, self.partitions, self.amqp_host, self.amqp_port)


def log(message: str) -> None:
    print(f"[bench-pipeline {time.strftime('%H:%M:%S')}] {message}", flush=True)


def schema_of(recipient: str) -> str:
    return f"bench_{recipient}"
