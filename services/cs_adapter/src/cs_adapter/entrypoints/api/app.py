"""The cs_adapter's FastAPI application: health, the kit's and the adapter's operator routes."""

from __future__ import annotations

from fastapi import FastAPI
from jumin_platform.adapter_api import AdapterApp, adapter_app

from cs_adapter.bootstrap import Overrides, adapter_lifespan
from cs_adapter.config import Settings
from cs_adapter.domain.cs_messages import MessageType
from cs_adapter.entrypoints.api import health, operator
from cs_adapter.entrypoints.api.dependencies import ledger, running_adapter

CS_API = AdapterApp(
    title="Jumin cs_adapter (市町村CS連携)",
    description="""住基ネット 市町村CS連携 (cs_adapter) — sends 本人確認情報, 附票通知, 個人番号生成要求
and 転出証明書情報 to CS, takes 個人番号, 転入通知 and free 住民票コード back to the registry.

Operators (admin) resend, switch to 手動連携 and back, release or hand over held 電文 and run
the 整合性確認; auditors read the delivery record. Errors are `application/problem+json`.

Every operator call is written to the access log (hash-chained); the held export marks 個人番号
as accessed.""",
    running=running_adapter,
    ledger=ledger,
    message_types=[t.value for t in MessageType],
    tag="cs operator",
    export_touches_my_number=True,
)


def create_app(settings: Settings | None = None, overrides: Overrides | None = None) -> FastAPI:
    """Build the API; the adapter itself starts with the app (lifespan)."""
    return adapter_app(
        CS_API,
        settings or Settings(),
        lifespan=adapter_lifespan,
        overrides=overrides or Overrides(),
        routers=[health.router, operator.router],
    )
