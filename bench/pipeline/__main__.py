"""`make bench-pipeline`: approved changes → outbox → relay → RabbitMQ → one consumer kit per recipient.

What runs (each in its own process, as in production): the registry's `OutboxRelay` publishing with
confirms as `jumin_registry`, and five `ConsumerKit`s (cs, koseki, moj, intermediate, certificates),
each with its own schema in the bench database (inbox and per-person sequence check as in
production) and a no-op handler that notes when it ran. The broker topology is declared in a
dedicated vhost `jumin_bench_pipeline` (recreated each run; `make up` and the tests use `jumin`).
Changes are entered and approved through the registry's own use cases (`handlers.submit_change`,
`handlers.approve_change`), so every message is a real projection of the recipient policy.

Phases:

0. warm-up (not reported): 国内転入 of the households the next phase moves (転居), pushed through
   the whole pipeline, so the consumers know those people (seq 1 applied);
1. throughput: BENCH_CHANGES (default 20,000) changes, 30 % 転居 and 70 % 国内転入, entered
   (untimed) and approved by BENCH_APPROVERS (8) concurrent reviewers as fast as they go.
   BENCH_MODE=backlog (default): the relay is held back while they are approved, then released —
   the pipeline's own drain rate, comparable with the baseline (both move ready messages as fast
   as they can); its commit → handled latency therefore includes the hold-back and is no
   responsiveness figure (the paced runs are). BENCH_MODE=flood: relay and consumers run while
   the approvals go, all competing for the same CPUs.
   `msgs_per_s` = messages / (last handled − relay release (backlog) / first commit (flood));
2. paced: for each rate of BENCH_PACED_RATES (default "200,80,40" changes/s), BENCH_PACED_SECONDS
   (15 s) of approvals started open loop (one every 1/rate s, whatever the earlier ones do);
   `paced_<rate>_latency_p50_ms` / `_p99_ms`;
3. baseline: the very bodies of phase 1 (same number and sizes, same headers), published with bare
   aio-pika (persistent, mandatory, confirms, in batches of the relay's batch size) to a throwaway
   quorum queue in the same vhost and consumed with acks by one bare aio-pika consumer in another
   process. `ratio` = msgs_per_s / baseline_msgs_per_s.

Latency is always handler call time − the approval's commit (taken as `approve_change` returns),
over every message of the run. Each phase also reports where the CPU went, in milliseconds per
message per process group (`bench.common.cpu_accounting`: relay, each kit, PostgreSQL, RabbitMQ, this
process, everything else on the machine) and how many cores were busy.

Afterwards every recipient's handled seqs are checked to be 1, 2, … n per person (over all phases),
each event handled once, inbox rows = outbox rows, nothing parked, blocked or unpublished.

Environment: JUMIN_REGISTRY_DATABASE_URL (service role; the kits use it too) and
JUMIN_REGISTRY_MIGRATION_DATABASE_URL (schema owner; its database name must contain "bench", the
registry's tables and the kits' tables in schemas bench_<recipient> are emptied), BENCH_CHANGES,
BENCH_MODE, BENCH_APPROVERS, BENCH_PACED_RATES, BENCH_PACED_SECONDS, BENCH_PREFETCH (kit
prefetch, 32), BENCH_RELAY_BATCH (200), BENCH_BASELINE_PREFETCH (100), BENCH_PARTITIONS (e.g.
"cs=2"), BENCH_SEED, BENCH_OUTPUT (default bench/results/pipeline.json), JUMIN_AMQP_HOST/PORT,
JUMIN_RABBITMQ_MANAGEMENT_URL/_USER/_PASSWORD (the vhost is made through the management API).

The code follows the phases: `settings` (BenchConfig), `database` (set-up and checks), `processes`
(relay and kits), `approvals` (the registry side), `phase` (one timed phase and its figures),
`baseline`, `report`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import asyncpg
from jumin_platform.db import create_pool
from jumin_platform.my_number_vault import generate_key_file, load_vault
from jumin_platform.topology import ADMIN_USER
from jumin_testing.broker import delete_vhost, recreate_vhost
from registry.adapters.address_dictionary import PostalAddressBook
from registry.bootstrap import Registry
from registry.config import Settings

from bench.pipeline.approvals import Registrar
from bench.pipeline.baseline import baseline, phase_bodies
from bench.pipeline.database import prepare_database, verify
from bench.pipeline.phase import PhaseResult, outbox_mark, run_phase
from bench.pipeline.processes import Pipeline
from bench.pipeline.report import report
from bench.pipeline.settings import MOVES, VHOST, BenchConfig, log
from bench.pipeline.workload import Workload


async def run(config: BenchConfig) -> dict[str, Any]:
    log(
        f"{config.changes} changes, mode {config.mode}, {config.approvers} approvers, "
        f"kit prefetch {config.prefetch}, relay batch {config.relay_batch}, "
        f"partitions {config.partitions or 'none'}; vhost {VHOST}"
    )
    await prepare_database(config)
    topology = config.plan.topology()
    await recreate_vhost(topology, config.plan.url(ADMIN_USER))
    generate_key_file(config.key_file)
    vault = load_vault(config.key_file)
    book = PostalAddressBook(prefecture="東京都", ward="新宿区")
    pool = await create_pool(config.service_dsn, min_size=2, max_size=config.approvers + 2)
    owner = await asyncpg.connect(config.owner_dsn)
    registrar = Registrar(
        Registry(settings=Settings(), pool=pool, addresses=book, vault=vault), config.approvers
    )
    workload = Workload(config.seed, book)
    today = registrar.registry.clock().date() - timedelta(days=1)
    pipeline = Pipeline(config)
    try:
        await pipeline.start_consumers()
        await pipeline.spawn_relay()
        await pipeline.release_relay()

        # 0. warm-up: the households phase 1 moves, through the whole pipeline
        warm = int(config.changes * MOVES * 1.05) + 20
        ids = await registrar.submit([workload.move_in(today) for _ in range(warm)])
        warm_up = await run_phase(
            "warm-up", pipeline, registrar, owner, lambda: registrar.approve_all(ids)
        )
        log(f"warm-up: {warm_up.messages} messages, {warm_up.msgs_per_s:.0f} msgs/s")

        # 1. throughput
        requests = workload.mix(config.changes, registrar.households, today, moves=MOVES)
        moves = sum(1 for r in requests if r.kind.value == "move_within_ward")
        t = time.time()
        ids = await registrar.submit(requests)
        log(f"throughput: {len(ids)} changes entered ({moves} 転居) in {time.time() - t:.1f}s")
        mark = await outbox_mark(owner)
        released: Callable[[dict[str, float]], Awaitable[float]] | None = None
        if config.mode == "backlog":
            await pipeline.stop_relay()
            await pipeline.spawn_relay()

            async def release(_: dict[str, float]) -> float:
                return await pipeline.release_relay()

            released = release
        main = await run_phase(
            "throughput",
            pipeline,
            registrar,
            owner,
            lambda: registrar.approve_all(ids),
            started=released,
        )
        last_id = await outbox_mark(owner)
        log(
            f"throughput: {main.messages} msgs in {main.seconds:.1f}s = {main.msgs_per_s:.0f} "
            f"msgs/s; latency p50 {main.p(0.5)} ms p99 {main.p(0.99)} ms; "
            f"approvals {main.approvals_per_s}/s; relay done after {main.relay_done_after_s}s"
        )

        # 2. paced, open loop, at each rate
        paced: dict[float, PhaseResult] = {}
        for rate in config.paced_rates:
            count = int(rate * config.paced_seconds)
            requests = workload.mix(count, registrar.households, today, moves=MOVES)
            ids = await registrar.submit(requests)
            result = await run_phase(
                f"paced {rate:g}/s",
                pipeline,
                registrar,
                owner,
                functools.partial(registrar.approve_paced, ids, rate),
            )
            paced[rate] = result
            log(
                f"paced {rate:g}/s: {result.messages} msgs, latency p50 {result.p(0.5)} ms "
                f"p90 {result.p(0.9)} ms p99 {result.p(0.99)} ms (approvals achieved "
                f"{result.approvals_per_s}/s; {result.cores_busy} cores busy)"
            )
        checks = await verify(pipeline, owner)
        await pipeline.stop()

        # 3. baseline, with the pipeline's processes gone
        bodies = await phase_bodies(owner, vault, mark, last_id)
        base_rate, base_seconds, base_cpu = await baseline(config, pipeline, bodies)
        log(f"baseline: {len(bodies)} msgs in {base_seconds:.1f}s = {base_rate:.0f} msgs/s")
    finally:
        await pipeline.stop()
        await owner.close()
        await pool.close()
        await delete_vhost(VHOST)
    return report(
        config,
        main=main,
        moves=moves,
        paced=paced,
        warm_up=warm_up,
        bodies=bodies,
        base_rate=base_rate,
        base_seconds=base_seconds,
        base_cpu=base_cpu,
        checks=checks,
    )


def main() -> None:
    config = BenchConfig.from_env()
    result = asyncio.run(run(config))
    config.output.parent.mkdir(parents=True, exist_ok=True)
    config.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    log(f"written to {config.output}")


if __name__ == "__main__":
    main()
