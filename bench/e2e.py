"""`make bench-e2e`: approved changes through the whole slice, counter to 市町村CS.

The processes are those of the end-to-end tests (tests/e2e/harness), as real subprocesses: the
registry API, its outbox relay and command consumer, the cs_adapter and the CS simulator, on a
fresh database `jumin_bench_e2e` and vhost `jumin_bench_e2e` (provisioned by
deploy/local/provision.sh; `make up` and the tests are not touched).

Run:

0. warm-up (untimed): 30 % of N one-person 国内転入, approved, until CS has them all;
1. N changes (BENCH_E2E_CHANGES or the first argument, default 2,000): 30 % 転居 of the warm-up's
   people and 70 % one-person 国内転入, shuffled, entered through the API (untimed), then approved
   by BENCH_E2E_APPROVERS (8) concurrent reviewers through the API while relay, adapter and CS
   run. Each change sends exactly one message to CS.
   `per_s` = N / (last CS receipt − first approval commit); latency per message = CS's
   `received_at` − the outbox row's `created_at` (written in the approving transaction);
2. checks: every message accepted by CS exactly once, each person's in seq order;
3. baseline (slice stopped): bench.pipeline's raw broker baseline over the very bodies of phase 1;
   `ratio` = per_s / baseline msgs/s.

Results are printed and written to bench/results/e2e.json (BENCH_E2E_OUTPUT). Spans are exported
as in `make up` (JSON lines, one file per process) unless BENCH_E2E_TRACING=0.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.cpu_accounting import per_message_ms, snapshot
from bench.e2e_baseline import cs_bodies, raw_broker_baseline
from bench.e2e_workload import approve_all, requests, submit_all, warm_up
from bench.pipeline import percentile
from tests.e2e.harness.broker import delete_vhost
from tests.e2e.harness.clients import Outbox, RegistryClient, SimulatorClient
from tests.e2e.harness.environment import SliceEnvironment
from tests.e2e.harness.slice import Slice, provision
from tests.e2e.harness.stream import Delivery, assert_once_in_order, delivery

MOVES = 0.3
DEFAULT_CHANGES = 2_000


def log(message: str) -> None:
    print(f"[bench-e2e {time.strftime('%H:%M:%S')}] {message}", flush=True)


def settings() -> dict[str, Any]:
    env = os.environ
    changes = (
        int(sys.argv[1])
        if len(sys.argv) > 1
        else int(env.get("BENCH_E2E_CHANGES", DEFAULT_CHANGES))
    )
    return {
        "changes": changes,
        "approvers": int(env.get("BENCH_E2E_APPROVERS", 8)),
        "tracing": env.get("BENCH_E2E_TRACING", "1") not in ("0", "false", "no"),
        "database": env.get("BENCH_E2E_DB", "jumin_bench_e2e"),
        "vhost": env.get("BENCH_E2E_VHOST", "jumin_bench_e2e"),
        "output": Path(env.get("BENCH_E2E_OUTPUT", "bench/results/e2e.json")),
        "seed": int(env.get("BENCH_E2E_SEED", 20_261_127)),
    }


def latencies_ms(result: Delivery) -> tuple[list[float], datetime, datetime]:
    """Per message: CS receipt − outbox commit; and the first commit and last receipt."""
    committed = {s.event_id: s.created_at for s in result.sent}
    received = {r["event_id"]: datetime.fromisoformat(r["received_at"]) for r in result.received}
    values = [(received[e] - committed[e]).total_seconds() * 1000 for e in committed]
    return values, min(committed.values()), max(received.values())


async def timed_run(ward: Slice, config: dict[str, Any]) -> dict[str, Any]:
    """Phases 0–2 on the running slice."""
    environment = ward.environment
    registry = RegistryClient(environment.registry_url)
    cs = SimulatorClient(environment.simulator_url)
    outbox = Outbox(environment)
    workers = config["approvers"]
    n = config["changes"]
    try:
        t = time.monotonic()
        movers, warm = await warm_up(registry, int(n * MOVES) + 1, workers=workers)
        await delivery(cs, outbox, warm, within=600)
        log(f"warm-up: {len(movers)} people moved in and at CS in {time.monotonic() - t:.1f}s")

        bodies = requests(n, movers, moves=MOVES, seed=config["seed"])
        t = time.monotonic()
        change_ids = await submit_all(registry, bodies, workers=workers)
        log(f"entered {len(change_ids)} changes (仮登録) in {time.monotonic() - t:.1f}s")

        roles = {p.pid: p.name for p in ward if p.pid is not None}
        cpu_before = snapshot(roles, database=environment.database)
        t = time.monotonic()
        await approve_all(registry, change_ids, workers=workers)
        approving = time.monotonic() - t
        log(f"approved {len(change_ids)} in {approving:.1f}s; waiting for CS")
        result = await delivery(cs, outbox, change_ids, within=900)
        cpu = per_message_ms(cpu_before, snapshot(roles, database=environment.database), n)
        log(f"all {len(result.sent)} cs messages at CS")
        assert_once_in_order(result)
    finally:
        await registry.aclose()
        await cs.aclose()
    values, first_commit, last_receipt = latencies_ms(result)
    seconds = (last_receipt - first_commit).total_seconds()
    return {
        "change_ids": change_ids,
        "changes": n,
        "messages": len(result.sent),
        "per_s": round(n / seconds, 1),
        "seconds": round(seconds, 2),
        "approvals_per_s": round(n / approving, 1),
        "latency_p50_ms": round(percentile(values, 0.5), 1),
        "latency_p90_ms": round(percentile(values, 0.9), 1),
        "latency_p99_ms": round(percentile(values, 0.99), 1),
        "latency_max_ms": round(max(values), 1),
        "move_within_ward_share": MOVES,
        "cpu_ms_per_change": cpu,
        "warm_up_changes": len(movers),
    }


async def run(config: dict[str, Any], workdir: Path) -> dict[str, Any]:
    environment = SliceEnvironment(
        workdir=workdir,
        database=config["database"],
        vhost=config["vhost"],
        tracing=config["tracing"],
    )
    log(
        f"{config['changes']} changes, {config['approvers']} approvers, tracing "
        f"{'on' if config['tracing'] else 'off'}; database {environment.database}, vhost "
        f"{environment.vhost}; logs in {environment.logs}"
    )
    t = time.monotonic()
    await provision(environment)
    ward = Slice.build(environment)
    await ward.start()
    log(f"provisioned and started in {time.monotonic() - t:.1f}s")
    try:
        main = await timed_run(ward, config)
    except BaseException:
        print(ward.dump(20), file=sys.stderr)
        raise
    finally:
        ward.stop()
    log(
        f"{main['changes']} changes in {main['seconds']}s = {main['per_s']}/s; latency p50 "
        f"{main['latency_p50_ms']} ms p99 {main['latency_p99_ms']} ms"
    )
    bodies = await cs_bodies(environment, main.pop("change_ids"))
    try:
        base = await raw_broker_baseline(environment, bodies)
    finally:
        await delete_vhost(environment.vhost)  # the database stays for a look afterwards
    log(f"baseline: {base['messages']} msgs in {base['seconds']}s = {base['msgs_per_s']} msgs/s")
    return {
        **main,
        "baseline_msgs_per_s": base["msgs_per_s"],
        "ratio": round(main["per_s"] / base["msgs_per_s"], 4),
        "baseline": base,
        "checks": {"exactly_once": "ok", "per_person_order": "ok", "every_message_at_cs": "ok"},
        "settings": {
            "approvers": config["approvers"],
            "tracing": config["tracing"],
            "seed": config["seed"],
            "cs_poll_interval_s": environment.cs_poll_interval,
            "relay_poll_s": environment.relay_poll_seconds,
        },
        "latency_definition": "CS simulator received_at − registry.outbox.created_at (set in the "
        "approving transaction), per cs message of the timed run",
        "per_s_definition": "changes / (last CS receipt − first approval's outbox row); one CS "
        "message per change",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }


def main() -> None:
    config = settings()
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as workdir:
        result = asyncio.run(run(config, Path(workdir)))
    output: Path = config["output"]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    log(f"written to {output}")


if __name__ == "__main__":
    main()
