"""The kit's operator operations for an adapter's API, noting whom each call touched.

`operator_router` needs an object with `operations`; an adapter's app has a kit only while it
runs, so `NotedOperations` looks the operations up at each call (the lookup raises `NotRunning`
between start-up steps) and notes the people each call listed or acted on in the request's
access-log context (アクセスログ, 処理対象者).

    app.include_router(operator_router(NotedOperations(lambda: running(app).kit.operations)))
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from jumin_platform.access_logging import current_access
from jumin_platform.consumer.dead_letters import DeadLetter
from jumin_platform.consumer.operations import ActionResult, Blocked, Operations, Parked

__all__ = ["NotedOperations", "NotingOperations"]


class NotedOperations:
    """What the kit's operator router needs: the running kit's operations, looked up late."""

    def __init__(self, lookup: Callable[[], Operations]) -> None:
        self._lookup = lookup

    @property
    def operations(self) -> Operations:
        return NotingOperations(self._lookup())


class NotingOperations(Operations):
    """The kit's operations, noting the people each call touched in the access log context."""

    def __init__(self, inner: Operations) -> None:  # delegates: no state of its own
        self._inner = inner

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        found = await self._inner.dead_letters(limit)
        current_access().touch(*(d.person_key for d in found if d.person_key))
        return found

    async def parked(self, limit: int) -> list[Parked]:
        found = await self._inner.parked(limit)
        current_access().touch(*(p.person_key for p in found))
        return found

    async def blocked(self, limit: int) -> list[Blocked]:
        found = await self._inner.blocked(limit)
        current_access().touch(*(b.person_key for b in found))
        return found

    async def resend(self, event_id: UUID, *, operator: str, reason: str) -> ActionResult:
        return _noted(await self._inner.resend(event_id, operator=operator, reason=reason))

    async def skip(self, event_id: UUID, *, operator: str, reason: str) -> ActionResult:
        return _noted(await self._inner.skip(event_id, operator=operator, reason=reason))


def _noted(result: ActionResult) -> ActionResult:
    if result.person_key:
        current_access().touch(result.person_key)
    return result
