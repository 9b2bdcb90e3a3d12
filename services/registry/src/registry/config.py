"""Registry settings, all from JUMIN_REGISTRY_* environment variables with local defaults."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated, Any, Self

from jumin_platform.db import migrations_of
from jumin_platform.settings import (
    HttpUrl,
    LocalGovernmentCode,
    ServiceSettings,
    StaffTokenSettings,
    StoreSettings,
)
from jumin_platform.topology import BrokerSettings, Topology, parse_recipients
from pydantic import AliasChoices, BeforeValidator, Field, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from registry.domain.recipient_policy import Ward

MIGRATIONS_DIR = migrations_of("registry")


def _routed(value: Any) -> Any:
    """`cs,koseki` (JUMIN_AMQP_RECIPIENTS, as the topology reads it) → the routed recipients."""
    if isinstance(value, str):
        try:
            return Topology().with_routed(parse_recipients(value)).routed_recipients
        except KeyError as error:
            raise ValueError(str(error)) from None
    return value


class Settings(ServiceSettings, StoreSettings, StaffTokenSettings):
    """Configure the 住民記録システム service."""

    model_config = SettingsConfigDict(env_prefix="JUMIN_REGISTRY_", env_file=".env", extra="ignore")
    service = "registry"
    relay_poll_seconds: float = Field(
        default=2.0, gt=0, description="outbox poll (LISTEN is primary)"
    )
    relay_batch_size: int = Field(default=200, ge=1, description="outbox rows published per round")
    port: int = Field(default=8100, ge=1, le=65535, description="port of the HTTP API")
    pool_min_size: int = Field(default=2, ge=1)
    pool_max_size: int = Field(default=10, ge=1)
    jwt_private_key_file: Path = Field(
        default=Path("var/keys/dev-private.pem"),
        description="private key used only by `jumin token` to sign development tokens",
    )
    ward_code: LocalGovernmentCode = Field(
        default="131041", description="地方公共団体コード of the ward (新宿区)"
    )
    ward_name: str = Field(default="新宿区", min_length=1, description="区名 as printed")
    prefecture: str = Field(default="東京都", min_length=1, description="都道府県 of the ward")
    search_max_limit: int = Field(default=100, ge=1)
    my_number_key_file: Path = Field(
        default=Path("var/keys/my-number-keys.json"),
        description="key ring sealing 個人番号 (AES-256-GCM keys + HMAC lookup key)",
    )
    checkpoint_key_file: Path = Field(
        default=Path("var/keys/checkpoint-keys.json"),
        description="key ring signing access-log checkpoints (Ed25519; the active key signs)",
    )
    checkpoint_public_key_file: Path = Field(
        default=Path("var/keys/checkpoint-signers/registry.json"),
        description="its public half: what the witness and `audit verify` check signatures with",
    )
    checkpoint_interval_seconds: float = Field(
        default=300.0,
        ge=0,
        description="the active relay publishes a signed access-log checkpoint this often when "
        "the log has grown (0: only on demand)",
    )
    witness_url: HttpUrl = Field(
        default="http://127.0.0.1:8310",
        description="audit_witness API, where `audit verify` reads the latest checkpoint",
    )
    my_number_roles: tuple[str, ...] = Field(
        default=("reviewer",),
        description="roles that may see or look up a 個人番号 (the certificates service has its own)",
    )
    approval_batch_limit: int = Field(
        default=100, ge=1, description="most changes one 一括決裁 approves"
    )
    routed_recipients: Annotated[frozenset[str], NoDecode, BeforeValidator(_routed)] = Field(
        default_factory=lambda: BrokerSettings().topology().routed_recipients,
        validation_alias=AliasChoices("JUMIN_AMQP_RECIPIENTS"),
        description="recipients approvals project messages for: the topology's routed ones "
        "(JUMIN_AMQP_RECIPIENTS, read with the broker settings); the relay publishes `mandatory`, "
        "so a message for a recipient the broker does not route would be refused",
    )
    office_opens: time = Field(default=time(8, 30), description="開庁時刻 (Asia/Tokyo), HH:MM")
    office_closes: time = Field(default=time(17, 15), description="閉庁時刻 (Asia/Tokyo), HH:MM")

    @model_validator(mode="after")
    def _office_opens_before_it_closes(self) -> Self:
        if self.office_opens >= self.office_closes:
            raise ValueError("office_opens must be earlier than office_closes")
        return self

    @property
    def ward(self) -> Ward:
        """Return the ward this registry serves (its code, prefecture and name)."""
        return Ward(code=self.ward_code, prefecture=self.prefecture, name=self.ward_name)
