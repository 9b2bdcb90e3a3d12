"""The paced runs of `bench.e2e`: approvals offered at a fixed rate, latency when nothing queues.

The throughput run approves as fast as 8 reviewers go, so on a small machine its commit → CS
latency is mostly time spent queueing behind the approvals themselves. Here approvals are started
open loop, one every 1/rate s whatever the earlier ones are doing (as bench.pipeline's paced
runs), for a fixed time; the changes (same mix as the throughput run) are entered beforehand,
untimed. Reported per rate: the offered approvals/s, the achieved ones (approving commits per
second: (n − 1) / (first → last outbox row's created_at)) and the CS receipt − outbox commit
latency of every message of the run.
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jumin_testing.e2e.clients import Outbox, RegistryClient, SimulatorClient
from jumin_testing.e2e.stream import Delivery, assert_once_in_order

from bench.common.cpu_accounting import machine_busy, per_message_ms, snapshot
from bench.e2e.workload import Mover, at_cs, latencies_ms, requests, submit_all
from bench.pipeline.phase import percentile


@dataclass(frozen=True)
class PacedPlan:
    """One paced run: the offered rate, for how long, and the people its 転居 move."""

    rate: float
    seconds: float
    movers: list[Mover]
    seed: int

    @property
    def changes(self) -> int:
        return int(self.rate * self.seconds)


@dataclass(frozen=True)
class Pacing:
    """How the schedule went: how late approvals started, how long their calls took."""

    changes: int
    start_lag_max_ms: float
    approve_ms: list[float]


def movers_needed(changes: int, moves: float) -> int:
    """How many warm-up people a run of `changes` moves (as `requests` takes them)."""
    return int(changes * moves)


async def approve_paced(registry: RegistryClient, change_ids: list[str], rate: float) -> Pacing:
    """Open loop: start one approval every 1/rate s, however long the earlier ones take."""
    loop = asyncio.get_running_loop()
    took: list[float] = []
    lags: list[float] = []

    async def approve(change_id: str) -> None:
        t = loop.time()
        await registry.approve(change_id)
        took.append((loop.time() - t) * 1000)

    start = loop.time()
    async with asyncio.TaskGroup() as group:
        for index, change_id in enumerate(change_ids):
            due = start + index / rate
            if (delay := due - loop.time()) > 0:
                await asyncio.sleep(delay)
            lags.append((loop.time() - due) * 1000)
            group.create_task(approve(change_id))
    return Pacing(
        changes=len(change_ids),
        start_lag_max_ms=max(lags, default=0.0),
        approve_ms=took,
    )


def committed_per_s(result: Delivery) -> float:
    """Approvals the registry committed per second: (n − 1) / (first → last approving commit)."""
    commits = sorted(s.created_at for s in result.sent)  # one cs message per change
    span = (commits[-1] - commits[0]).total_seconds()
    return (len(commits) - 1) / span if span > 0 else math.nan


def figures(plan: PacedPlan, pacing: Pacing, result: Delivery) -> dict[str, Any]:
    values, _, _ = latencies_ms(result)
    return {
        "offered_per_s": plan.rate,
        "achieved_per_s": round(committed_per_s(result), 2),
        "seconds": plan.seconds,
        "changes": pacing.changes,
        "messages": len(result.sent),
        "moves_within_ward": len(plan.movers),
        "latency_p50_ms": round(percentile(values, 0.5), 1),
        "latency_p90_ms": round(percentile(values, 0.9), 1),
        "latency_p99_ms": round(percentile(values, 0.99), 1),
        "latency_max_ms": round(max(values), 1),
        "approve_call_p50_ms": round(percentile(pacing.approve_ms, 0.5), 1),
        "approve_call_p99_ms": round(percentile(pacing.approve_ms, 0.99), 1),
        "start_lag_max_ms": round(pacing.start_lag_max_ms, 1),
    }


async def paced_run(
    plan: PacedPlan,
    *,
    registry: RegistryClient,
    cs: SimulatorClient,
    outbox: Outbox,
    roles: Mapping[int, str],
    database: str,
    moves: float,
    workers: int,
) -> tuple[list[str], dict[str, Any]]:
    """Enter the run's changes (untimed), approve them at the plan's rate, wait until CS has every
    message; check each accepted once and in order; return the change ids and the figures."""
    bodies = requests(plan.changes, plan.movers, moves=moves, seed=plan.seed)
    change_ids = await submit_all(registry, bodies, workers=workers)
    cpu_before, busy_before = snapshot(roles, database=database), machine_busy()
    pacing = await approve_paced(registry, change_ids, plan.rate)
    result = await at_cs(cs, outbox, change_ids, within=600)
    cpu_after, busy_after = snapshot(roles, database=database), machine_busy()
    assert_once_in_order(result)
    busy = (busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1])
    return change_ids, {
        **figures(plan, pacing, result),
        "cores_busy": round(busy * (os.cpu_count() or 1), 2),
        "cpu_ms_per_change": per_message_ms(cpu_before, cpu_after, pacing.changes),
    }
