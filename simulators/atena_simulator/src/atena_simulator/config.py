"""Simulator settings, all from JUMIN_ATENA_SIMULATOR_* environment variables with local defaults."""

from __future__ import annotations

from pathlib import Path

from jumin_platform.settings import LocalGovernmentCode, ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    """Configure the 団体内統合宛名システム simulator."""

    model_config = SettingsConfigDict(
        env_prefix="JUMIN_ATENA_SIMULATOR_", env_file=".env", extra="ignore"
    )

    port: int = Field(default=8903, ge=1, le=65535)
    timeout_hang: float = Field(
        default=30.0, ge=0, description="seconds a 'timeout' fault hangs before closing"
    )
    municipality_code: LocalGovernmentCode = Field(
        default="131041", description="地方公共団体コード of the ward that sends (新宿区)"
    )
    fugo_delay: float = Field(
        default=5.0,
        ge=0,
        le=86_400,
        description="seconds from a 符号取得要求 until the 符号 comes back through 住基ネット",
    )
    state_file: Path | None = Field(
        default=None,
        description="SQLite file that keeps what the system holds across restarts (none: memory)",
    )
    seed: int | None = Field(
        default=None, description="seed for the fault draws and the numbers made (repeatable runs)"
    )
