"""An idle slice writes (almost) no spans: its polls look for work untraced (issue 10).

Before, the harness's poll rates (CS every 0.2 s, the outbox every 0.5 s) wrote about 1.5 MB of
spans a minute with no traffic (445 KB at `make up`'s rates). The bound, 10 KB a minute, is under
1% of that and below what any one poll loop would write (a 0.2 s loop: about 300 spans, over
100 KB), yet leaves room for one piece of real work a periodic check may find (a free-code top-up).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from jumin_testing.e2e.slice import Slice
from jumin_testing.waiting import eventually

IDLE_SECONDS = 60
BOUND_BYTES = 10_000


def span_bytes(directory: Path) -> int:
    """The size of every span file, rotated ones included."""
    return sum(path.stat().st_size for path in directory.glob("*.jsonl*"))


async def test_an_idle_minute_adds_less_than_10_kb_of_spans(ward: Slice) -> None:
    traces = ward.environment.traces

    async def settled() -> bool:  # what earlier tests started (retries, answers) has finished
        before = span_bytes(traces)
        await asyncio.sleep(5)
        return span_bytes(traces) == before

    await eventually(settled, what="the span files to stop growing", within=120)
    start = span_bytes(traces)
    await asyncio.sleep(IDLE_SECONDS)
    grown = span_bytes(traces) - start
    assert grown < BOUND_BYTES, f"{grown} bytes of spans in an idle minute"
