"""Request dependencies: the running adapter, and who may call what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from jumin_platform.auth import Role, Staff, require_roles
from jumin_platform.consumer.operations import NotRunning, Operations

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
        return adapter.kit.operations


AdapterDep = Annotated[CsAdapter, Depends(running_adapter)]
Admin = Annotated[Staff, Depends(require_roles(Role.ADMIN))]
"""システム管理: switches, resends, releases, runs checks."""
Reader = Annotated[Staff, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]
"""監査 or システム管理: reads the delivery record and the adapter's state."""
