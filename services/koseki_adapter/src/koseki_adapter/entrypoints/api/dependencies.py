"""Request dependencies: the running adapter, and who may call what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from jumin_platform.auth import Role, Staff, require_roles
from jumin_platform.consumer.operations import NotRunning

from koseki_adapter.bootstrap import KosekiAdapter

NOT_RUNNING = (
    "戸籍附票連携が起動していません。しばらくしてから再度実行してください。 "
    "(The adapter is not running; try again shortly.)"
)


def running_adapter(request: Request) -> KosekiAdapter:
    """Return the started adapter, or answer 503 (between start-up steps, or shutting down)."""
    adapter: KosekiAdapter | None = getattr(request.app.state, "adapter", None)
    if adapter is None:
        raise NotRunning(NOT_RUNNING)
    return adapter


AdapterDep = Annotated[KosekiAdapter, Depends(running_adapter)]
Admin = Annotated[Staff, Depends(require_roles(Role.ADMIN))]
"""システム管理: switches, resends, releases."""
Reader = Annotated[Staff, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]
"""監査 or システム管理: reads the delivery record and the adapter's state."""
