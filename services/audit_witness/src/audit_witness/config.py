"""audit_witness settings, all from JUMIN_AUDIT_WITNESS_* environment variables with local defaults."""

from __future__ import annotations

from pathlib import Path

from jumin_platform.db import migrations_of
from jumin_platform.settings import ServiceSettings, StoreSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict

MIGRATIONS_DIR = migrations_of("audit_witness")
"""yoyo migrations, shipped inside the package."""

SCHEMA = "audit_witness"
"""The service's own PostgreSQL schema (owned by jumin_audit_witness_owner)."""


class Settings(ServiceSettings, StoreSettings):
    """Configure the witness of access-log checkpoints (監査証跡の立会人)."""

    model_config = SettingsConfigDict(
        env_prefix="JUMIN_AUDIT_WITNESS_", env_file=".env", extra="ignore", frozen=True
    )
    service = SCHEMA
    port: int = Field(default=8310, ge=1, le=65535, description="port of the checkpoint API")
    signers_dir: Path = Field(
        default=Path("var/keys/checkpoint-signers"),
        description="public key rings of the services whose checkpoints are accepted, one "
        "`<service>.json` each (written by that service's `dev-keys`)",
    )
    retry_seconds: float = Field(
        default=1.0, gt=0, description="first back-off while the database or broker is away"
    )
