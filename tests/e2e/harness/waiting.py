"""Poll until an asynchronous outcome holds (never a fixed sleep as an assertion)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    holds: Callable[[T], bool],
    *,
    what: str,
    within: float = 30.0,
    every: float = 0.2,
) -> T:
    """Call `probe` until `holds(result)`; return that result, or fail naming `what` and the last."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if holds(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {within}s waiting for {what}; last: {value!r}"[:2000]
            )
        await asyncio.sleep(every)
