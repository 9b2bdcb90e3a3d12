"""Settings with a format are refused at start-up, naming the variable, instead of at first use."""

from __future__ import annotations

from pathlib import Path

import pytest
from jumin_platform.settings import (
    AmqpUrl,
    HttpUrl,
    LocalGovernmentCode,
    PostgresUrl,
    ServiceSettings,
    StoreSettings,
)
from jumin_platform.topology import BrokerSettings, Topology, parse_replica, topology_from_env
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


def test_the_broker_settings_shape_the_topology(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUMIN_AMQP_VHOST", "jumin_other")
    monkeypatch.setenv("JUMIN_AMQP_PARTITIONS", "cs=4")
    monkeypatch.setenv("JUMIN_AMQP_RETRY_DELAYS", "1,2")

    topology = topology_from_env()

    assert topology.vhost == "jumin_other"
    assert topology.recipient("cs").partitions == 4
    assert topology.retry_delays == (1, 2)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("JUMIN_AMQP_PARTITIONS", "cs4"),
        ("JUMIN_AMQP_RETRY_DELAYS", "1,x"),
        ("JUMIN_AMQP_PORT", "0"),
    ],
)
def test_a_malformed_broker_setting_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValidationError, match=variable.removeprefix("JUMIN_AMQP_").lower()):
        BrokerSettings()


def test_a_service_password_is_read_like_every_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JUMIN_SECRETS_DIR", str(tmp_path))
    monkeypatch.delenv("JUMIN_CS_ADAPTER_AMQP_PASSWORD", raising=False)
    user = Topology().user("jumin_cs_adapter")
    assert user.password() == ""  # nothing provisioned: no password (never the user's name)

    (tmp_path / "passwords.env").write_text("JUMIN_CS_ADAPTER_AMQP_PASSWORD=stored\n")
    assert user.password() == "stored"  # what provisioning stored

    monkeypatch.setenv("JUMIN_CS_ADAPTER_AMQP_PASSWORD", "s3cret")
    assert user.password() == "s3cret"  # the environment wins


@pytest.mark.parametrize(
    ("slot", "partitions"),
    [("0/1", (0, 1, 2, 3)), ("0/2", (0, 2)), ("1/2", (1, 3)), ("2/3", (2,)), ("3/4", (3,))],
)
def test_replicas_share_the_one_partition_count_evenly(
    slot: str, partitions: tuple[int, ...]
) -> None:
    cs = Topology().with_partitions({"cs": 4}).recipient("cs")

    assert parse_replica(slot).partitions(cs) == partitions


@pytest.mark.parametrize("slot", ["2/2", "1", "a/b", "-1/2"])
def test_a_replica_slot_must_be_index_of_count(slot: str) -> None:
    with pytest.raises(ValueError, match="replica"):
        parse_replica(slot)


def test_more_replicas_than_partitions_or_no_scale_out_is_refused() -> None:
    with pytest.raises(ValueError, match="only 2 partitions"):
        parse_replica("0/3").partitions(Topology().with_partitions({"cs": 2}).recipient("cs"))
    with pytest.raises(ValueError, match="not in scale-out mode"):
        parse_replica("0/2").partitions(Topology().recipient("cs"))
