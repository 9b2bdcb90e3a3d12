"""`make bench-e2e`: approved changes through the whole slice, counter to 市町村CS.

The processes are those of the end-to-end tests (jumin_testing.e2e), as real subprocesses: the
registry API, its outbox relay and command consumer, the cs_adapter and the CS simulator, on a
fresh database `jumin_bench_e2e` and vhost `jumin_bench_e2e` (provisioned by
deploy/local/provision.sh; `make up` and the tests are not touched).

Run:

0. warm-up (untimed): one-person 国内転入, approved, until CS has them all — the people the
   throughput and paced runs move (30 % of each run's changes);
1. throughput: N changes (BENCH_E2E_CHANGES or the first argument, default 2,000): 30 % 転居 of
   the warm-up's people and 70 % one-person 国内転入, shuffled, entered through the API (untimed),
   then approved by BENCH_E2E_APPROVERS (8) concurrent reviewers through the API (closed loop, as
   fast as they go) while relay, adapter and CS run. Each change sends exactly one message to CS.
   `per_s` = N / (last CS receipt − first approval commit); latency per message = CS's
   `received_at` − the outbox row's `created_at` (written in the approving transaction). On a
   saturated machine that latency is mostly queueing behind the approvals;
2. paced (bench.e2e.paced): for each rate of BENCH_E2E_PACED_RATES (changes/s, default "10,20";
   empty: none), rate × BENCH_E2E_PACED_SECONDS (15) changes of the same mix, entered beforehand
   (untimed), then approved open loop, one started every 1/rate s whatever the earlier ones do;
   reported under `paced`: offered and achieved approvals/s and the same latency, p50/p90/p99;
3. checks: every message of each run accepted by CS exactly once, each person's in seq order;
   finally once more over every change of phases 0–2 together;
4. baseline (slice stopped): bench.pipeline's raw broker baseline over the very bodies of phase 1;
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
from pathlib import Path
from typing import Any

from jumin_testing.broker import delete_vhost
from jumin_testing.e2e.clients import Outbox, RegistryClient, SimulatorClient
from jumin_testing.e2e.environment import SliceEnvironment
from jumin_testing.e2e.slice import Slice, provision
from jumin_testing.e2e.stream import assert_once_in_order, delivery

from bench.common.cpu_accounting import per_message_ms, snapshot
from bench.e2e.baseline import cs_bodies, raw_broker_baseline
from bench.e2e.paced import PacedPlan, movers_needed, paced_run
from bench.e2e.workload import (
    Mover,
    approve_all,
    at_cs,
    latencies_ms,
    requests,
    submit_all,
    warm_up,
)
from bench.pipeline.phase import percentile

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
        "paced_rates": [
            float(r) for r in env.get("BENCH_E2E_PACED_RATES", "10,20").split(",") if r.strip()
        ],
        "paced_seconds": float(env.get("BENCH_E2E_PACED_SECONDS", 15)),
        "tracing": env.get("BENCH_E2E_TRACING", "1") not in ("0", "false", "no"),
        "database": env.get("BENCH_E2E_DB", "jumin_bench_e2e"),
        "vhost": env.get("BENCH_E2E_VHOST", "jumin_bench_e2e"),
        "output": Path(env.get("BENCH_E2E_OUTPUT", "bench/results/e2e.json")),
        "seed": int(env.get("BENCH_E2E_SEED", 20_261_127)),
    }


def paced_plans(config: dict[str, Any], movers: list[Mover]) -> list[PacedPlan]:
    """One plan per paced rate, each moving its own warm-up people (after the throughput run's)."""
    plans: list[PacedPlan] = []
    taken = movers_needed(config["changes"], MOVES)
    for index, rate in enumerate(config["paced_rates"]):
        changes = int(rate * config["paced_seconds"])
        count = movers_needed(changes, MOVES)
        plans.append(
            PacedPlan(
                rate=rate,
                seconds=config["paced_seconds"],
                movers=movers[taken : taken + count],
                seed=config["seed"] + 1 + index,
            )
        )
        taken += count
    return plans


def warm_up_size(config: dict[str, Any]) -> int:
    """Everyone the throughput and paced runs move, and one more."""
    paced = sum(
        movers_needed(int(rate * config["paced_seconds"]), MOVES) for rate in config["paced_rates"]
    )
    return movers_needed(config["changes"], MOVES) + paced + 1


async def throughput_run(
    ward: Slice, config: dict[str, Any], registry: RegistryClient, movers: list[Mover]
) -> dict[str, Any]:
    """Phase 1: N changes entered, then approved by `approvers` reviewers as fast as they go."""
    environment = ward.environment
    cs = SimulatorClient(environment.simulator_url)
    outbox = Outbox(environment)
    workers = config["approvers"]
    n = config["changes"]
    try:
        bodies = requests(n, movers[: movers_needed(n, MOVES)], moves=MOVES, seed=config["seed"])
        t = time.monotonic()
        change_ids = await submit_all(registry, bodies, workers=workers)
        log(f"entered {len(change_ids)} changes (仮登録) in {time.monotonic() - t:.1f}s")

        roles = {p.pid: p.name for p in ward if p.pid is not None}
        cpu_before = snapshot(roles, database=environment.database)
        t = time.monotonic()
        await approve_all(registry, change_ids, workers=workers)
        approving = time.monotonic() - t
        log(f"approved {len(change_ids)} in {approving:.1f}s; waiting for CS")
        result = await at_cs(cs, outbox, change_ids, within=900)
        cpu = per_message_ms(cpu_before, snapshot(roles, database=environment.database), n)
        log(f"all {len(result.sent)} cs messages at CS")
        assert_once_in_order(result)
    finally:
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
    }


async def paced_runs(
    ward: Slice, config: dict[str, Any], registry: RegistryClient, movers: list[Mover]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Phase 2: each paced rate in turn, the slice idle in between; all change ids and figures."""
    environment = ward.environment
    cs = SimulatorClient(environment.simulator_url)
    roles = {p.pid: p.name for p in ward if p.pid is not None}
    change_ids: list[str] = []
    figures: list[dict[str, Any]] = []
    try:
        for plan in paced_plans(config, movers):
            ids, run = await paced_run(
                plan,
                registry=registry,
                cs=cs,
                outbox=Outbox(environment),
                roles=roles,
                database=environment.database,
                moves=MOVES,
                workers=config["approvers"],
            )
            log(
                f"paced {plan.rate:g}/s offered, {run['achieved_per_s']}/s achieved: "
                f"{run['changes']} changes; latency p50 {run['latency_p50_ms']} ms p90 "
                f"{run['latency_p90_ms']} ms p99 {run['latency_p99_ms']} ms "
                f"({run['cores_busy']} cores busy)"
            )
            change_ids += ids
            figures.append(run)
    finally:
        await cs.aclose()
    return change_ids, figures


async def timed_run(ward: Slice, config: dict[str, Any]) -> dict[str, Any]:
    """Phases 0–3 on the running slice."""
    environment = ward.environment
    registry = RegistryClient(environment.registry_url)
    cs = SimulatorClient(environment.simulator_url)
    outbox = Outbox(environment)
    try:
        t = time.monotonic()
        movers, warm = await warm_up(registry, warm_up_size(config), workers=config["approvers"])
        await at_cs(cs, outbox, warm, within=600)
        log(f"warm-up: {len(movers)} people moved in and at CS in {time.monotonic() - t:.1f}s")

        main = await throughput_run(ward, config, registry, movers)
        log(
            f"throughput: {main['changes']} changes in {main['seconds']}s = {main['per_s']}/s; "
            f"latency p50 {main['latency_p50_ms']} ms p99 {main['latency_p99_ms']} ms"
        )
        paced_ids, paced = await paced_runs(ward, config, registry, movers)

        every = [*warm, *main["change_ids"], *paced_ids]
        assert_once_in_order(await delivery(cs, outbox, every, within=60))
        log(f"checked: {len(every)} changes' cs messages at CS once each, in order per person")
    finally:
        await registry.aclose()
        await cs.aclose()
    return {**main, "paced": paced, "warm_up_changes": len(warm), "checked_changes": len(every)}


async def run(config: dict[str, Any], workdir: Path) -> dict[str, Any]:
    environment = SliceEnvironment(
        workdir=workdir,
        database=config["database"],
        vhost=config["vhost"],
        tracing=config["tracing"],
    )
    log(
        f"{config['changes']} changes, {config['approvers']} approvers, paced "
        f"{','.join(f'{r:g}' for r in config['paced_rates']) or 'none'}/s × "
        f"{config['paced_seconds']:g}s, tracing "
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
    bodies = await cs_bodies(environment, main.pop("change_ids"))
    try:
        base = await raw_broker_baseline(environment, bodies)
    finally:
        await delete_vhost(environment.vhost)  # the database stays for a look afterwards
    log(f"baseline: {base['messages']} msgs in {base['seconds']}s = {base['msgs_per_s']} msgs/s")
    paced = main.pop("paced")
    checked = main.pop("checked_changes")
    return {
        **main,
        "paced": paced,
        "baseline_msgs_per_s": base["msgs_per_s"],
        "ratio": round(main["per_s"] / base["msgs_per_s"], 4),
        "baseline": base,
        "checks": {
            "exactly_once": "ok",
            "per_person_order": "ok",
            "every_message_at_cs": "ok",
            "changes_checked": checked,
            "covers": "each run on its own, then warm-up + throughput + paced runs together",
        },
        "settings": {
            "approvers": config["approvers"],
            "paced_rates_per_s": config["paced_rates"],
            "paced_seconds": config["paced_seconds"],
            "tracing": config["tracing"],
            "seed": config["seed"],
            "cs_poll_interval_s": environment.cs_poll_interval,
            "relay_poll_s": environment.relay_poll_seconds,
        },
        "latency_definition": "CS simulator received_at − registry.outbox.created_at (set in the "
        "approving transaction), per cs message of the throughput run (of each paced run under "
        "`paced`)",
        "per_s_definition": "changes / (last CS receipt − first approval's outbox row); one CS "
        "message per change",
        "paced_definition": "open loop: one approval started every 1/offered_per_s s for "
        "settings.paced_seconds, whatever the earlier ones do; achieved_per_s = approving "
        "commits per second, (changes − 1) / (first → last outbox row's created_at); latency "
        "as latency_definition, per cs message of that run",
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
    summary(result)
    log(f"written to {output}")


def summary(result: dict[str, Any]) -> None:
    """The figures as a table: the throughput run, then each paced rate."""
    print(f"{'run':<26}{'achieved/s':>11}{'changes':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}")
    approvers = result["settings"]["approvers"]
    rows = [(f"throughput ({approvers} approvers)", result["approvals_per_s"], result)]
    rows += [(f"paced {p['offered_per_s']:g}/s", p["achieved_per_s"], p) for p in result["paced"]]
    for name, rate, r in rows:
        print(
            f"{name:<26}{rate:>11}{r['changes']:>9}{r['latency_p50_ms']:>9}"
            f"{r['latency_p90_ms']:>9}{r['latency_p99_ms']:>9}"
        )


if __name__ == "__main__":
    main()
