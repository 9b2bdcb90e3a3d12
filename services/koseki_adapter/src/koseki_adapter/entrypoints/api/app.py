"""The koseki_adapter's FastAPI application: health and the operator routes."""

from __future__ import annotations

from fastapi import FastAPI
from jumin_platform.adapter_api import AdapterApp, adapter_app

from koseki_adapter.bootstrap import Overrides, adapter_lifespan
from koseki_adapter.config import Settings
from koseki_adapter.domain.fuhyo_notices import MESSAGE_TYPES
from koseki_adapter.entrypoints.api import consistency, health, notifications
from koseki_adapter.entrypoints.api.dependencies import ledger, running_adapter

KOSEKI_API = AdapterApp(
    title="Jumin koseki_adapter (戸籍附票システム連携)",
    description="""戸籍附票システム連携 (koseki_adapter) — sends 附票記載事項通知 (住基法19条1項) for
people whose 本籍 is in the ward to the ward's 戸籍附票システム, and takes the 戸籍 side's notices
back to the registry.

Operators (admin) resend, switch to 手動連携 and back, release or hand over held notices; auditors
read the delivery record (提供・移転の記録). Errors are `application/problem+json`.""",
    running=running_adapter,
    ledger=ledger,
    message_types=MESSAGE_TYPES,
    tag="koseki operator",
)


def create_app(settings: Settings | None = None, overrides: Overrides | None = None) -> FastAPI:
    """Build the API; the adapter itself starts with the app (lifespan)."""
    return adapter_app(
        KOSEKI_API,
        settings or Settings(),
        lifespan=adapter_lifespan,
        overrides=overrides or Overrides(),
        routers=[health.router, notifications.router, consistency.router],
    )
