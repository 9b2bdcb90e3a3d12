"""Request dependencies: the running adapter, its ledger for the delivery routes, and who may
call what (`jumin_platform.adapter_api`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from jumin_platform.adapter_api import Admin, Reader, RunningAdapter
from jumin_platform.deliveries import PlainKeeping
from jumin_platform.deliveries.api import LedgerAccess

from koseki_adapter.bootstrap import KosekiAdapter

__all__ = ["AdapterDep", "Admin", "Reader", "ledger", "running_adapter"]

running_adapter = RunningAdapter[KosekiAdapter]("戸籍附票連携")
"""The started adapter of a request, or 503."""


def ledger(request: Request) -> LedgerAccess:
    """The delivery record of the running adapter, the 戸籍附票システム as its sender."""
    adapter = running_adapter(request)
    return LedgerAccess(adapter.uow, adapter.fuhyo, PlainKeeping(), adapter.settings.resend_max)


AdapterDep = Annotated[KosekiAdapter, Depends(running_adapter)]
