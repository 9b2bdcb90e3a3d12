"""Request dependencies: the running adapter, its ledger for the delivery routes, and who may
call what (`jumin_platform.adapter_api`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from jumin_platform.adapter_api import Admin, Reader, RunningAdapter
from jumin_platform.deliveries.api import LedgerAccess

from cs_adapter.bootstrap import CsAdapter
from cs_adapter.service_layer.sealing import SealedKeeping

__all__ = ["AdapterDep", "Admin", "Reader", "ledger", "running_adapter"]

running_adapter = RunningAdapter[CsAdapter]("CS連携")
"""The started adapter of a request, or 503."""


def ledger(request: Request) -> LedgerAccess:
    """The delivery record of the running adapter, CS as its sender, 個人番号 sealed at rest."""
    adapter = running_adapter(request)
    return LedgerAccess(
        adapter.uow, adapter.cs, SealedKeeping(adapter.vault), adapter.settings.resend_max
    )


AdapterDep = Annotated[CsAdapter, Depends(running_adapter)]
