"""One phase of `bench.pipeline`: approve, wait until every message was handled, compute figures."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from bench.common.cpu_accounting import machine_busy, per_message_ms, snapshot
from bench.pipeline.approvals import Registrar
from bench.pipeline.processes import Pipeline
from bench.pipeline.settings import log


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (as numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


@dataclass(frozen=True)
class PhaseResult:
    changes: int
    messages: int
    seconds: float
    latencies: list[float]
    by_recipient: dict[str, int]
    latency_p99_by_recipient: dict[str, float]
    approvals_per_s: float
    relay_done_after_s: float
    refused: int
    cpu_ms_per_message: dict[str, float]
    cores_busy: float

    @property
    def msgs_per_s(self) -> float:
        return self.messages / self.seconds

    def p(self, q: float) -> float:
        return ms(percentile(self.latencies, q))


async def outbox_mark(connection: asyncpg.Connection[Any]) -> int:
    return int(await connection.fetchval("SELECT coalesce(max(id), 0) FROM registry.outbox"))


async def run_phase(
    name: str,
    pipeline: Pipeline,
    registrar: Registrar,
    owner: asyncpg.Connection[Any],
    approve: Callable[[], Awaitable[dict[str, float]]],
    *,
    started: Callable[[dict[str, float]], Awaitable[float]] | None = None,
) -> PhaseResult:
    """Approve (with `approve`), wait until every new outbox row was handled, compute figures."""
    await pipeline.collect()  # drop nothing: earlier records are kept, this phase starts empty
    mark = await outbox_mark(owner)
    before = pipeline.handled_count()
    # Flood / paced: CPU from the first approval on; backlog: from the relay's release.
    at_start = (
        None
        if started
        else (snapshot(pipeline.roles(), database=pipeline.config.database), machine_busy())
    )
    t_approve = time.time()
    refused_before = len(registrar.refused)
    committed = await approve()
    approved_s = time.time() - t_approve
    refused = len(registrar.refused) - refused_before
    if refused:
        log(f"{name}: {refused} approvals refused, e.g. {registrar.refused[-1]}")
    t0 = await started(committed) if started else min(committed.values())
    cpu_before, busy_before = at_start or (
        snapshot(pipeline.roles(), database=pipeline.config.database),
        machine_busy(),
    )
    messages = int(await owner.fetchval("SELECT count(*) FROM registry.outbox WHERE id > $1", mark))
    log(f"{name}: {len(committed)} changes approved in {approved_s:.1f}s → {messages} messages")
    await pipeline.wait_handled(before + messages, what=name)
    cpu_after, busy_after = (
        snapshot(pipeline.roles(), database=pipeline.config.database),
        machine_busy(),
    )
    records = await pipeline.collect()
    relay_done = await owner.fetchval(
        "SELECT extract(epoch FROM max(published_at)) FROM registry.outbox WHERE id > $1", mark
    )
    latencies: list[float] = []
    by_recipient: dict[str, int] = {}
    p99: dict[str, float] = {}
    last = t0
    for recipient, rows in records.items():
        own = [handled_at - committed[change_id] for _, change_id, _, _, handled_at, _ in rows]
        latencies += own
        by_recipient[recipient] = len(rows)
        p99[recipient] = ms(percentile(own, 0.99))
        last = max([last, *(row[4] for row in rows)])
    if len(latencies) != messages:
        raise RuntimeError(f"{name}: {len(latencies)} handled for {messages} outbox rows")
    return PhaseResult(
        changes=len(committed),
        messages=messages,
        seconds=last - t0,
        latencies=latencies,
        by_recipient=by_recipient,
        latency_p99_by_recipient=p99,
        approvals_per_s=round(len(committed) / approved_s, 1),
        relay_done_after_s=round(float(relay_done) - t0, 2) if relay_done else math.nan,
        refused=refused,
        cpu_ms_per_message=per_message_ms(cpu_before, cpu_after, messages),
        cores_busy=round(
            (busy_after[0] - busy_before[0])
            / (busy_after[1] - busy_before[1])
            * (os.cpu_count() or 1),
            2,
        ),
    )
