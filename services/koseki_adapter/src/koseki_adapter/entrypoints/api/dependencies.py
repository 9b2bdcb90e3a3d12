"""Request dependencies: the running adapter, its ledger for the delivery routes, the kit's
operations, and who may call what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from jumin_platform.auth import Role, Staff, require_roles
from jumin_platform.consumer.noted_operations import NotedOperations
from jumin_platform.consumer.operations import NotRunning
from jumin_platform.deliveries import PlainKeeping
from jumin_platform.deliveries.api import LedgerAccess

from koseki_adapter.bootstrap import KosekiAdapter

NOT_RUNNING = (
    "戸籍附票連携が起動していません。しばらくしてから再度実行してください。 "
    "(The adapter is not running; try again shortly.)"
)


def running_adapter(request: Request) -> KosekiAdapter:
    """Return the started adapter, or answer 503 (between start-up steps, or shutting down)."""
    return _running(request.app.state)


def _running(state: object) -> KosekiAdapter:
    adapter: KosekiAdapter | None = getattr(state, "adapter", None)
    if adapter is None:
        raise NotRunning(NOT_RUNNING)
    return adapter


def ledger(request: Request) -> LedgerAccess:
    """The delivery record of the running adapter, the 戸籍附票システム as its sender."""
    adapter = running_adapter(request)
    return LedgerAccess(adapter.uow, adapter.fuhyo, PlainKeeping(), adapter.settings.resend_max)


def kit_operations(state: object) -> NotedOperations:
    """What the kit's operator router needs: the running kit's operations, looked up late."""
    return NotedOperations(lambda: _running(state).kit.operations)


AdapterDep = Annotated[KosekiAdapter, Depends(running_adapter)]
Admin = Annotated[Staff, Depends(require_roles(Role.ADMIN))]
"""システム管理: switches, resends, releases."""
Reader = Annotated[Staff, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]
"""監査 or システム管理: reads the delivery record and the adapter's state."""
