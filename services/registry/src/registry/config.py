"""Registry settings, all from JUMIN_REGISTRY_* environment variables with local defaults."""

from __future__ import annotations

from pathlib import Path

from jumin_platform.db import migrations_of
from jumin_platform.settings import ServiceSettings
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

MIGRATIONS_DIR = migrations_of("registry")


class Settings(ServiceSettings):
    """Configure the 住民記録システム service."""

    model_config = SettingsConfigDict(env_prefix="JUMIN_REGISTRY_", env_file=".env", extra="ignore")

    database_url: SecretStr = Field(
        default=SecretStr("postgresql://jumin_registry:jumin_registry@127.0.0.1:5432/jumin"),
        description="DSN of the service role (DML only)",
    )
    migration_database_url: SecretStr = Field(
        default=SecretStr(
            "postgresql://jumin_registry_owner:jumin_registry_owner@127.0.0.1:5432/jumin"
        ),
        description="DSN of the schema owner that applies migrations",
    )
    amqp_url: SecretStr = Field(
        default=SecretStr("amqp://jumin_registry:jumin_registry@127.0.0.1:5672/jumin"),
        description="RabbitMQ URL of the registry's broker user (publish jumin.events, read registry.in)",
    )
    relay_poll_seconds: float = Field(default=2.0, description="outbox poll (LISTEN is primary)")
    relay_batch_size: int = Field(default=200, description="outbox rows published per round")
    host: str = "127.0.0.1"
    port: int = 8100
    pool_min_size: int = 2
    pool_max_size: int = 10
    jwt_public_key_file: Path = Path("var/keys/dev-public.pem")
    jwt_private_key_file: Path = Path("var/keys/dev-private.pem")
    jwt_issuer: str = "jumin-local"
    jwt_audience: str = "jumin"
    ward_code: str = "131041"  # 地方公共団体コード (新宿区)
    ward_name: str = "新宿区"
    prefecture: str = "東京都"
    search_max_limit: int = 100
    my_number_key_file: Path = Field(
        default=Path("var/keys/my-number-keys.json"),
        description="key ring sealing 個人番号 (AES-256-GCM keys + HMAC lookup key)",
    )
    my_number_roles: tuple[str, ...] = Field(
        default=("reviewer",),
        description="roles that may see or look up a 個人番号 (the certificates service has its own)",
    )
    approval_batch_limit: int = Field(default=100, description="most changes one 一括決裁 approves")
    office_opens: str = Field(default="08:30", description="開庁時刻 (Asia/Tokyo) for log analysis")
    office_closes: str = Field(default="17:15", description="閉庁時刻 (Asia/Tokyo)")
