"""moj_notify settings, all from JUMIN_MOJ_NOTIFY_* environment variables with local defaults."""

from __future__ import annotations

from datetime import timedelta

from jumin_platform.db import migrations_of
from jumin_platform.settings import (
    HttpUrl,
    LocalGovernmentCode,
    ServiceSettings,
    StaffTokenSettings,
    StoreSettings,
)
from pydantic import Field
from pydantic_settings import SettingsConfigDict

MIGRATIONS_DIR = migrations_of("moj_notify")
"""yoyo migrations, shipped inside the package so an installed wheel can migrate too."""

SCHEMA = "moj_notify"
"""The service's own PostgreSQL schema (made by provisioning, owned by jumin_moj_notify_owner)."""


class Settings(ServiceSettings, StoreSettings, StaffTokenSettings):
    """Configure the 法務省連携 (出入国在留管理庁の連携サーバ) service."""

    model_config = SettingsConfigDict(
        env_prefix="JUMIN_MOJ_NOTIFY_", env_file=".env", extra="ignore", frozen=True
    )
    service = SCHEMA
    port: int = Field(default=8303, ge=1, le=65535, description="port of the operator API")
    moj_base_url: HttpUrl = Field(
        default="http://127.0.0.1:8902", description="出入国在留管理庁 連携サーバ base URL"
    )
    moj_timeout: float = Field(default=5.0, gt=0, description="seconds per 連携サーバ call")
    municipality_code: LocalGovernmentCode = Field(
        default="131041", description="地方公共団体コード of the ward (the notices' sender)"
    )
    retry_first: float = Field(
        default=1.0, gt=0, description="seconds before the first retry of a notice not answered"
    )
    retry_most: float = Field(
        default=300.0, gt=0, description="most seconds between retries (the wait doubles)"
    )
    idle_wake: float = Field(
        default=30.0,
        gt=0,
        description="seconds the dispatcher sleeps at most when nothing is due (a missed wake-up "
        "costs at most this)",
    )
    clock_offset: timedelta = Field(
        default=timedelta(0),
        description="TEST AND TRAINING ONLY: added to the system clock (e.g. P2D: the service "
        "acts as two days later, so a 転出予定日 falls due); zero in production",
    )
    poll_interval: float = Field(
        default=0.5, gt=0, description="seconds between polls of the ministry's 処理結果・長官通知"
    )
    resend_max: int = Field(default=1000, ge=1, description="most deliveries one resend sends")
    prefetch: int = Field(default=8, ge=1, description="messages in flight per queue")
    pool_max_size: int = Field(default=6, ge=2, description="the service's own pool (API, loops)")
