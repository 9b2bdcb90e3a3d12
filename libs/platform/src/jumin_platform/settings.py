"""Base of every service's Settings: environment variables with a JUMIN_<SERVICE>_ prefix.

A service declares one `Settings(ServiceSettings)` with its prefix and defaults (docs/adding-a-service.md).
What every service has — where it listens, its database and broker URLs, how staff tokens are
checked — is declared here once; settings with a format are validated when they are read, so a
typo stops the process at start-up with the variable's name instead of failing at first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar
from urllib.parse import quote, urlsplit

from jumin_contracts.check_digits import is_valid_local_government_code
from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    Field,
    SecretStr,
    TypeAdapter,
    create_model,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from jumin_platform.auth import TokenVerifier
from jumin_platform.secrets import service_password_variables, stored_secret

__all__ = [
    "AmqpUrl",
    "HttpUrl",
    "LocalGovernmentCode",
    "PostgresUrl",
    "ServiceSettings",
    "StaffTokenSettings",
    "StoreSettings",
    "environment_value",
    "local_amqp_url",
    "local_postgres_url",
]

_HTTP_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)


def _scheme_in(*schemes: str) -> AfterValidator:
    def check(value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(f"want a URL {' or '.join(s + '://' for s in schemes)}host/…")
        return value

    return AfterValidator(check)


def _http_url(value: str) -> str:
    _HTTP_URL.validate_python(value)  # the text stays as given: no slash appended
    return value.rstrip("/")


def _local_government_code(value: str) -> str:
    if not is_valid_local_government_code(value):
        raise ValueError("want a 地方公共団体コード: six digits, the last its check digit")
    return value


PostgresUrl = Annotated[SecretStr, _scheme_in("postgresql", "postgres")]
"""A PostgreSQL DSN (it carries a password: never printed)."""

AmqpUrl = Annotated[SecretStr, _scheme_in("amqp", "amqps")]
"""A RabbitMQ URL with the service's broker user (it carries a password: never printed)."""

HttpUrl = Annotated[str, AfterValidator(_http_url)]
"""An http(s) base URL, kept as text without a trailing slash."""

LocalGovernmentCode = Annotated[str, AfterValidator(_local_government_code)]
"""地方公共団体コード with its check digit (新宿区 131041)."""


def local_postgres_url(role: str, password_variable: str) -> SecretStr:
    """Return the development DSN of a role on database `jumin`, its password read from
    `password_variable` (environment, `.env`, then the provisioned `var/secrets/`)."""
    password = quote(environment_value(password_variable), safe="")
    return SecretStr(f"postgresql://{role}:{password}@127.0.0.1:5432/jumin")


def local_amqp_url(user: str, password_variable: str) -> SecretStr:
    """Return the development URL of a broker user on vhost `jumin` (password as above)."""
    password = quote(environment_value(password_variable), safe="")
    return SecretStr(f"amqp://{user}:{password}@127.0.0.1:5672/jumin")


class StaffTokenSettings(BaseSettings):
    """How a service checks staff bearer tokens (JWT, roles in claims)."""

    jwt_public_key_file: Path = Field(
        default=Path("var/keys/dev-public.pem"), description="public key verifying staff tokens"
    )
    jwt_issuer: str = Field(default="jumin-local", description="required `iss` claim")
    jwt_audience: str = Field(default="jumin", description="required `aud` claim")

    def token_verifier(self) -> TokenVerifier:
        """Build the verifier of staff tokens from the configured public key."""
        return TokenVerifier(
            public_keys=[self.jwt_public_key_file.read_text()],
            issuer=self.jwt_issuer,
            audience=self.jwt_audience,
        )


class StoreSettings(BaseSettings):
    """Where a service with its own schema keeps its data and reaches the broker.

    Every such service has the PostgreSQL roles `jumin_<service>` (DML) and `jumin_<service>_owner`
    (owns the schema, runs the migrations) and the broker user `jumin_<service>`, made by
    `deploy/local/provision.sh`; unset URLs default to those roles on this machine, with the
    random passwords provisioning made (`jumin_platform.secrets`).
    """

    service: ClassVar[str]
    """The service's name: its schema, and the stem of its roles and broker user."""

    database_url: PostgresUrl = Field(
        default=SecretStr(""), description="DSN of the service role (DML only)"
    )
    migration_database_url: PostgresUrl = Field(
        default=SecretStr(""), description="DSN of the schema owner that applies migrations"
    )
    amqp_url: AmqpUrl = Field(
        default=SecretStr(""), description="RabbitMQ URL of the service's own broker user"
    )

    @model_validator(mode="before")
    @classmethod
    def _local_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            role = f"jumin_{cls.service}"
            owner_pw, db_pw, amqp_pw = service_password_variables(cls.service)
            if "database_url" not in data:
                data["database_url"] = local_postgres_url(role, db_pw)
            if "migration_database_url" not in data:
                data["migration_database_url"] = local_postgres_url(f"{role}_owner", owner_pw)
            if "amqp_url" not in data:
                data["amqp_url"] = local_amqp_url(role, amqp_pw)
        return data


class ServiceSettings(BaseSettings):
    """Read settings from the environment (and an optional .env), ignoring unknown variables.

    A refused value is not repeated in the error: a URL carries its password.
    """

    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    host: str = Field(default="127.0.0.1", description="address the HTTP API binds to")
    port: int = Field(default=8000, ge=1, le=65535, description="port of the HTTP API")


class _OneVariable(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)


def environment_value(name: str) -> str:
    """Return one variable the way settings are read (environment, then `.env`), then the
    password provisioning stored under that name (`var/secrets/`); '' if none.

    For the passwords (`JUMIN_<SERVICE>_AMQP_PASSWORD`, `_DB_PASSWORD` …), whose names come
    from the services and the topology's users rather than from fields declared in advance.
    """
    model = create_model(
        "EnvironmentValue", __base__=_OneVariable, value=(str, Field(default="", alias=name))
    )
    return str(model().value) or stored_secret(name)  # type: ignore[attr-defined]
