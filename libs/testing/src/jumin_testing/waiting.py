"""Poll until an asynchronous outcome holds (never a fixed sleep as an assertion)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, overload

T = TypeVar("T")


@overload
async def eventually(
    probe: Callable[[], Awaitable[T]],
    until: Callable[[T], bool] = ...,
    *,
    what: str,
    within: float = ...,
    every: float = ...,
) -> T: ...


@overload
async def eventually(
    probe: Callable[[], T],
    until: Callable[[T], bool] = ...,
    *,
    what: str,
    within: float = ...,
    every: float = ...,
) -> T: ...


async def eventually(
    probe: Callable[[], Any],
    until: Callable[[Any], bool] = bool,
    *,
    what: str,
    within: float = 30.0,
    every: float = 0.05,
) -> Any:
    """Call `probe` until `until(result)`; return that result, or fail naming `what` and the last.

    `probe` may be a coroutine function or a plain one. The default 30 s is generous: the 2-core
    CI machine may be busy, and broker retries wait a second each.
    """
    deadline = time.monotonic() + within
    while True:
        value = probe()
        result = await value if inspect.isawaitable(value) else value
        if until(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what} (last seen: {result!r})"[:2000])
        await asyncio.sleep(every)
