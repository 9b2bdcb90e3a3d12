"""`bench.pipeline`'s report: the figures of every phase, the targets and the settings, as JSON."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from typing import Any

from bench.pipeline.phase import PhaseResult
from bench.pipeline.settings import TARGET_PACED_P99_MS, TARGET_RATIO, BenchConfig


def report(
    config: BenchConfig,
    *,
    main: PhaseResult,
    moves: int,
    paced: dict[float, PhaseResult],
    warm_up: PhaseResult,
    bodies: Sequence[tuple[bytes, str, str]],
    base_rate: float,
    base_seconds: float,
    base_cpu: dict[str, float],
    checks: dict[str, Any],
) -> dict[str, Any]:
    """Return the run's figures as written to BENCH_OUTPUT."""
    sizes = [len(body) for body, _, _ in bodies]
    ratio = main.msgs_per_s / base_rate
    return {
        "changes": main.changes,
        "messages": main.messages,
        "msgs_per_s": round(main.msgs_per_s, 1),
        "latency_p50_ms": main.p(0.5),
        "latency_p99_ms": main.p(0.99),
        "baseline_msgs_per_s": round(base_rate, 1),
        "ratio": round(ratio, 3),
        **{
            f"paced_{rate:g}_latency_{q}_ms": run.p(f)
            for rate, run in paced.items()
            for q, f in (("p50", 0.5), ("p99", 0.99))
        },
        "targets": {
            "ratio_min": TARGET_RATIO,
            "ratio_met": ratio >= TARGET_RATIO,
            "paced_p99_ms_max": TARGET_PACED_P99_MS,
            "paced_200_p99_met": (
                paced[200.0].p(0.99) <= TARGET_PACED_P99_MS if 200.0 in paced else None
            ),
        },
        "throughput_run": {
            "mode": config.mode,
            "latency_note": (
                "backlog: every change was approved before the relay was released, so commit → "
                "handled includes that wait; see paced_runs for responsiveness"
                if config.mode == "backlog"
                else "flood: approvals, relay and consumers compete for the CPUs"
            ),
            "seconds": round(main.seconds, 2),
            "approvals_per_s": main.approvals_per_s,
            "relay_done_after_s": main.relay_done_after_s,
            "relay_msgs_per_s": round(main.messages / main.relay_done_after_s, 1),
            "refused_approvals": main.refused,
            "latency_p90_ms": main.p(0.9),
            "messages_by_recipient": main.by_recipient,
            "latency_p99_ms_by_recipient": main.latency_p99_by_recipient,
            "move_within_ward_share": round(moves / main.changes, 3),
            "cores_busy": main.cores_busy,
            "cpu_ms_per_message": main.cpu_ms_per_message,
        },
        "paced_runs": [
            {
                "offered_changes_per_s": rate,
                "seconds": config.paced_seconds,
                "achieved_changes_per_s": run.approvals_per_s,
                "changes": run.changes,
                "messages": run.messages,
                "refused_approvals": run.refused,
                "latency_p50_ms": run.p(0.5),
                "latency_p90_ms": run.p(0.9),
                "latency_p99_ms": run.p(0.99),
                "latency_max_ms": run.p(1.0),
                "latency_p99_ms_by_recipient": run.latency_p99_by_recipient,
                "cores_busy": run.cores_busy,
                "cpu_ms_per_message": run.cpu_ms_per_message,
            }
            for rate, run in paced.items()
        ],
        "baseline": {
            "messages": len(bodies),
            "seconds": round(base_seconds, 2),
            "body_bytes_mean": round(sum(sizes) / len(sizes)),
            "queue": "one quorum queue, persistent messages, mandatory, publisher confirms",
            "publish_batch": config.relay_batch,
            "consumer_prefetch": config.baseline_prefetch,
            "cpu_ms_per_message": base_cpu,
        },
        "warm_up": {"changes": warm_up.changes, "messages": warm_up.messages},
        "checks": {**checks, "per_person_order": "ok", "exactly_once": "ok"},
        "settings": {
            "kit_prefetch": config.prefetch,
            "relay_batch": config.relay_batch,
            "approvers": config.approvers,
            "partitions": config.partitions or None,
            "seed": config.seed,
        },
        "latency_definition": "handler call time − approval commit (taken when approve_change "
        "returns), over every message of the run",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
