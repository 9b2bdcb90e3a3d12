"""Simulator settings, all from JUMIN_CS_SIMULATOR_* environment variables with local defaults."""

from __future__ import annotations

from jumin_contracts.check_digits import is_valid_local_government_code
from jumin_platform.settings import ServiceSettings
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    """Configure the 市町村CS simulator."""

    model_config = SettingsConfigDict(
        env_prefix="JUMIN_CS_SIMULATOR_", env_file=".env", extra="ignore"
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8900, ge=1, le=65535)
    my_number_delay: float = Field(
        default=0.5, ge=0, description="seconds until a 個人番号生成要求 is answered"
    )
    timeout_hang: float = Field(
        default=30.0, ge=0, description="seconds a 'timeout' fault hangs before closing"
    )
    municipality_code: str = Field(
        default="131041", description="地方公共団体コード of the ward this CS serves (新宿区)"
    )
    seed: int | None = Field(
        default=None, description="seed for generated numbers and fault draws (deterministic runs)"
    )

    @field_validator("municipality_code")
    @classmethod
    def _check_municipality_code(cls, value: str) -> str:
        if not is_valid_local_government_code(value):
            raise ValueError("municipality_code must be a 地方公共団体コード with its check digit")
        return value
