"""Request dependencies: the running adapter, and who may call what."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from jumin_platform.access_logging import current_access
from jumin_platform.auth import Role, Staff, require_roles
from jumin_platform.consumer.dead_letters import DeadLetter
from jumin_platform.consumer.operations import (
    ActionResult,
    Blocked,
    NotRunning,
    Operations,
    Parked,
)

from cs_adapter.bootstrap import CsAdapter

_NOT_RUNNING = (
    "CS連携が起動していません。しばらくしてから再度実行してください。 "
    "(The adapter is not running; try again shortly.)"
)


def running_adapter(request: Request) -> CsAdapter:
    """Return the started adapter, or answer 503 (between start-up steps, or shutting down)."""
    adapter: CsAdapter | None = getattr(request.app.state, "adapter", None)
    if adapter is None:
        raise NotRunning(_NOT_RUNNING)
    return adapter


class KitOperations:
    """What the kit's operator router needs: the operations of the running kit, looked up late."""

    def __init__(self, state: object) -> None:
        self._state = state

    @property
    def operations(self) -> Operations:
        adapter: CsAdapter | None = getattr(self._state, "adapter", None)
        if adapter is None:
            raise NotRunning(_NOT_RUNNING)
        return NotingOperations(adapter.kit.operations)


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


AdapterDep = Annotated[CsAdapter, Depends(running_adapter)]
Admin = Annotated[Staff, Depends(require_roles(Role.ADMIN))]
"""システム管理: switches, resends, releases, runs checks."""
Reader = Annotated[Staff, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]
"""監査 or システム管理: reads the delivery record and the adapter's state."""
