"""Simulator settings, all from JUMIN_CS_SIMULATOR_* environment variables with local defaults."""

from __future__ import annotations

from pathlib import Path

from jumin_platform.settings import LocalGovernmentCode, ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    """Configure the 市町村CS simulator."""

    model_config = SettingsConfigDict(
        env_prefix="JUMIN_CS_SIMULATOR_", env_file=".env", extra="ignore"
    )

    port: int = Field(default=8900, ge=1, le=65535)
    my_number_delay: float = Field(
        default=0.5, ge=0, description="seconds until a 個人番号生成要求 is answered"
    )
    timeout_hang: float = Field(
        default=30.0, ge=0, description="seconds a 'timeout' fault hangs before closing"
    )
    municipality_code: LocalGovernmentCode = Field(
        default="131041", description="地方公共団体コード of the ward this CS serves (新宿区)"
    )
    state_file: Path | None = Field(
        default=None,
        description="SQLite file that keeps what CS holds across restarts (none: memory only)",
    )
    seed: int | None = Field(
        default=None, description="seed for generated numbers and fault draws (deterministic runs)"
    )
