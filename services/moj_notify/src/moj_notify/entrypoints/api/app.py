"""The moj_notify FastAPI application: health, the schedule's routes and the shared operator
routes (`jumin_platform.adapter_api`)."""

from __future__ import annotations

from fastapi import FastAPI
from jumin_platform.adapter_api import AdapterApp, adapter_app

from moj_notify.bootstrap import Overrides, service_lifespan
from moj_notify.config import Settings
from moj_notify.domain.notices import MESSAGE_TYPES
from moj_notify.entrypoints.api import director_notices, health, scheduled, worklist
from moj_notify.entrypoints.api.dependencies import ledger, running_service

MOJ_API = AdapterApp(
    title="Jumin moj_notify (法務省連携)",
    description="""法務省連携 (moj_notify) — sends 市町村通知 (入管法61条の8の2) and 市町村伝達 (入管令2条)
about the ward's foreign residents to 出入国在留管理庁, at once and in time order per person (a
転出予定日 ahead is waited for), and takes the ministry's 処理結果 and 長官通知 back.

Operators (admin) retry or withdraw scheduled notices, resend, switch to 手動連携 and back,
release or hand over held notices; auditors read the schedule and the delivery record
(提供・移転の記録). Errors are `application/problem+json`.""",
    running=running_service,
    ledger=ledger,
    message_types=MESSAGE_TYPES,
    tag="moj operator",
)


def create_app(settings: Settings | None = None, overrides: Overrides | None = None) -> FastAPI:
    """Build the API; the service itself starts with the app (lifespan)."""
    return adapter_app(
        MOJ_API,
        settings or Settings(),
        lifespan=service_lifespan,
        overrides=overrides or Overrides(),
        routers=[health.router, scheduled.router, worklist.router, director_notices.router],
    )
