"""Base of every service's Settings: environment variables with a JUMIN_<SERVICE>_ prefix."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Read settings from the environment (and an optional .env), ignoring unknown variables."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)
