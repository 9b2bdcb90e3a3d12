"""Request dependencies: the running service, its ledger for the delivery routes, the kit's
operations, and who may call what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from jumin_platform.auth import Role, Staff, require_roles
from jumin_platform.consumer.noted_operations import NotedOperations
from jumin_platform.consumer.operations import NotRunning
from jumin_platform.deliveries import PlainKeeping
from jumin_platform.deliveries.api import LedgerAccess

from moj_notify.bootstrap import MojNotify

NOT_RUNNING = (
    "法務省連携が起動していません。しばらくしてから再度実行してください。 "
    "(The service is not running; try again shortly.)"
)


def running_service(request: Request) -> MojNotify:
    """Return the started service, or answer 503 (between start-up steps, or shutting down)."""
    return _running(request.app.state)


def _running(state: object) -> MojNotify:
    service: MojNotify | None = getattr(state, "adapter", None)
    if service is None:
        raise NotRunning(NOT_RUNNING)
    return service


def ledger(request: Request) -> LedgerAccess:
    """The delivery record of the running service, the 連携サーバ as its sender."""
    service = running_service(request)
    return LedgerAccess(service.uow, service.moj, PlainKeeping(), service.settings.resend_max)


def kit_operations(state: object) -> NotedOperations:
    """What the kit's operator router needs: the running kit's operations, looked up late."""
    return NotedOperations(lambda: _running(state).kit.operations)


ServiceDep = Annotated[MojNotify, Depends(running_service)]
Admin = Annotated[Staff, Depends(require_roles(Role.ADMIN))]
"""システム管理: retries, withdrawals, switches, resends."""
Reader = Annotated[Staff, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]
"""監査 or システム管理: reads the schedule, the delivery record and the service's state."""
