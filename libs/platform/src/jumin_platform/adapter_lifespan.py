"""The FastAPI lifespan of an adapter (cs_adapter, koseki_adapter): open it from the app's
settings and overrides, start it, keep it on `app.state.adapter` while the app serves, close it.

    adapter_lifespan = lifespan_of(open_adapter, name="koseki_adapter")
    app = service_api(..., lifespan=adapter_lifespan)   # app.state.settings / .overrides set

While it is not running (`app.state.adapter` is None) the adapter's routes answer 503.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from fastapi import FastAPI

__all__ = ["Adapter", "lifespan_of"]

logger = logging.getLogger(__name__)


class Adapter(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...


def lifespan_of(
    open_adapter: Callable[[Any, Any], Awaitable[Adapter]], *, name: str
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Return the lifespan that runs the adapter `open_adapter(settings, overrides)` opens."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        adapter = await open_adapter(app.state.settings, app.state.overrides)
        try:
            await adapter.start()
        except BaseException:
            await adapter.close()
            raise
        app.state.adapter = adapter
        logger.info("%s running", name)
        try:
            yield
        finally:
            app.state.adapter = None
            await adapter.close()

    return lifespan
