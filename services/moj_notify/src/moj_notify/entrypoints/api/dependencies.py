"""Request dependencies: the running service, its ledger for the delivery routes, and who may
call what (`jumin_platform.adapter_api`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from jumin_platform.adapter_api import Admin, Reader, RunningAdapter
from jumin_platform.deliveries import PlainKeeping
from jumin_platform.deliveries.api import LedgerAccess

from moj_notify.bootstrap import MojNotify

__all__ = ["Admin", "Reader", "ServiceDep", "ledger", "running_service"]

running_service = RunningAdapter[MojNotify]("法務省連携")
"""The started service of a request, or 503."""


def ledger(request: Request) -> LedgerAccess:
    """The delivery record of the running service, the 連携サーバ as its sender."""
    service = running_service(request)
    return LedgerAccess(service.uow, service.moj, PlainKeeping(), service.settings.resend_max)


ServiceDep = Annotated[MojNotify, Depends(running_service)]
