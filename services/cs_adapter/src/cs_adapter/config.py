"""cs_adapter settings, all from JUMIN_CS_ADAPTER_* environment variables with local defaults."""

from __future__ import annotations

from pathlib import Path

from jumin_platform.db import migrations_of
from jumin_platform.settings import (
    HttpUrl,
    LocalGovernmentCode,
    ServiceSettings,
    StaffTokenSettings,
    StoreSettings,
)
from jumin_platform.topology import ReplicaSlot
from pydantic import Field
from pydantic_settings import SettingsConfigDict

MIGRATIONS_DIR = migrations_of("cs_adapter")
"""yoyo migrations, shipped inside the package so an installed wheel can migrate too."""

SCHEMA = "cs_adapter"
"""The service's own PostgreSQL schema (made by provisioning, owned by jumin_cs_adapter_owner)."""


class Settings(ServiceSettings, StoreSettings, StaffTokenSettings):
    """Configure the 市町村CS adapter (住基ネット連携)."""

    model_config = SettingsConfigDict(
        env_prefix="JUMIN_CS_ADAPTER_", env_file=".env", extra="ignore", frozen=True
    )
    service = SCHEMA
    port: int = Field(default=8301, ge=1, le=65535, description="port of the operator API")
    cs_base_url: HttpUrl = Field(default="http://127.0.0.1:8900", description="市町村CS base URL")
    cs_timeout: float = Field(default=5.0, gt=0, description="seconds per CS call")
    municipality_code: LocalGovernmentCode = Field(
        default="131041", description="地方公共団体コード of the ward"
    )
    poll_interval: float = Field(default=0.5, gt=0, description="seconds between CS polls")
    free_codes_low_water: int = Field(
        default=100, ge=0, description="top up free 住民票コード below this estimate (alert)"
    )
    free_codes_batch: int = Field(
        default=500, ge=1, le=10_000, description="free 住民票コード asked for per batch"
    )
    consistency_check_interval: float = Field(
        default=0.0, ge=0, description="seconds between scheduled 整合性確認 (0: on request only)"
    )
    consistency_page_size: int = Field(
        default=1000, ge=1, le=1000, description="本人確認情報 fetched from CS per 整合性確認 call"
    )
    resend_max: int = Field(default=1000, ge=1, description="most deliveries one resend sends")
    prefetch: int = Field(default=8, ge=1, description="messages in flight per queue")
    replica: ReplicaSlot | None = Field(
        default=None,
        description="scale-out mode (JUMIN_AMQP_PARTITIONS=cs=N): this replica's place among all, "
        "`index/count` (`0/2`); it consumes the partitions p with p mod count = index. "
        "None: every partition (single active consumer per partition keeps order either way)",
    )
    pool_max_size: int = Field(default=6, ge=2, description="the adapter's own pool (API, poller)")
    my_number_key_file: Path = Field(
        default=Path("var/keys/cs-adapter-my-number-keys.json"),
        description="key ring sealing 個人番号 in delivery records (created by `dev-keys`)",
    )
