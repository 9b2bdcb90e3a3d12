"""koseki_adapter settings, all from JUMIN_KOSEKI_ADAPTER_* environment variables with local defaults."""

from __future__ import annotations

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

MIGRATIONS_DIR = migrations_of("koseki_adapter")
"""yoyo migrations, shipped inside the package so an installed wheel can migrate too."""

SCHEMA = "koseki_adapter"
"""The service's own PostgreSQL schema (made by provisioning, owned by jumin_koseki_adapter_owner)."""


class Settings(ServiceSettings, StoreSettings, StaffTokenSettings):
    """Configure the 戸籍附票システム adapter (戸籍附票連携)."""

    model_config = SettingsConfigDict(
        env_prefix="JUMIN_KOSEKI_ADAPTER_", env_file=".env", extra="ignore", frozen=True
    )
    service = SCHEMA
    port: int = Field(default=8302, ge=1, le=65535, description="port of the operator API")
    fuhyo_base_url: HttpUrl = Field(
        default="http://127.0.0.1:8901", description="戸籍附票システム base URL"
    )
    fuhyo_timeout: float = Field(default=5.0, gt=0, description="seconds per 戸籍附票システム call")
    municipality_code: LocalGovernmentCode = Field(
        default="131041", description="地方公共団体コード of the ward (the notices' sender)"
    )
    poll_interval: float = Field(
        default=0.5, gt=0, description="seconds between polls of the 戸籍 side's notices"
    )
    consistency_check_interval: float = Field(
        default=0.0, ge=0, description="seconds between scheduled 整合性確認 (0: on request only)"
    )
    consistency_page_size: int = Field(
        default=1000, ge=1, le=1000, description="附票 records fetched per 整合性確認 call"
    )
    resend_max: int = Field(default=1000, ge=1, description="most deliveries one resend sends")
    prefetch: int = Field(default=8, ge=1, description="messages in flight per queue")
    pool_max_size: int = Field(default=6, ge=2, description="the adapter's own pool (API, loops)")
