"""Settings with a format are refused at start-up, naming the variable, instead of at first use."""

from __future__ import annotations

import pytest
from jumin_platform.settings import (
    AmqpUrl,
    HttpUrl,
    LocalGovernmentCode,
    PostgresUrl,
    ServiceSettings,
    StoreSettings,
)
from pydantic import Field, ValidationError
from pydantic_settings import SettingsConfigDict


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JUMIN_EXAMPLE_", frozen=True)

    database_url: PostgresUrl = Field(default="postgresql://u:p@127.0.0.1:5432/jumin")
    amqp_url: AmqpUrl = Field(default="amqp://u:p@127.0.0.1:5672/jumin")
    peer_url: HttpUrl = "http://127.0.0.1:8900"
    ward_code: LocalGovernmentCode = "131041"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("JUMIN_EXAMPLE_DATABASE_URL", "mysql://u:p@127.0.0.1/jumin"),
        ("JUMIN_EXAMPLE_DATABASE_URL", "127.0.0.1:5432"),
        ("JUMIN_EXAMPLE_AMQP_URL", "http://127.0.0.1:5672/jumin"),
        ("JUMIN_EXAMPLE_PEER_URL", "127.0.0.1:8900"),
        ("JUMIN_EXAMPLE_WARD_CODE", "131042"),  # wrong check digit
        ("JUMIN_EXAMPLE_WARD_CODE", "13104"),
        ("JUMIN_EXAMPLE_PORT", "0"),
    ],
)
def test_a_malformed_setting_is_refused_with_its_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValidationError) as refused:
        ExampleSettings()

    field = variable.removeprefix("JUMIN_EXAMPLE_").lower()
    assert field in str(refused.value)
    assert value not in str(refused.value)  # a URL carries its password


def test_well_formed_settings_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JUMIN_EXAMPLE_PEER_URL", "https://cs.example.lg.jp/")
    monkeypatch.setenv("JUMIN_EXAMPLE_WARD_CODE", "131148")

    settings = ExampleSettings()

    assert settings.peer_url == "https://cs.example.lg.jp"  # no trailing slash to double up
    assert settings.ward_code == "131148"
    assert settings.database_url.get_secret_value().startswith("postgresql://")


class ExampleStore(StoreSettings):
    model_config = SettingsConfigDict(env_prefix="JUMIN_EXAMPLE_", frozen=True)
    service = "example"


def test_a_stores_urls_default_to_its_own_roles_and_broker_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "JUMIN_EXAMPLE_AMQP_URL", "amqp://jumin_example:s3cret@mq.internal:5672/jumin"
    )

    settings = ExampleStore()

    assert settings.database_url.get_secret_value().startswith("postgresql://jumin_example:")
    assert settings.migration_database_url.get_secret_value().startswith(
        "postgresql://jumin_example_owner:"
    )
    assert (
        settings.amqp_url.get_secret_value() == "amqp://jumin_example:s3cret@mq.internal:5672/jumin"
    )
