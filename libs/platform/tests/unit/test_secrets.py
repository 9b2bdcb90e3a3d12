"""Provisioning's passwords: random, made once, private, never a user's name."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from jumin_platform.secrets import ensure_secrets, main, read_secrets, service_password_variables
from jumin_platform.settings import StoreSettings
from jumin_platform.topology import Topology
from jumin_platform.topology.users import check_password


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_passwords_are_made_random_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "passwords.env"

    made = ensure_secrets(["JUMIN_A_DB_PASSWORD", "JUMIN_B_DB_PASSWORD"], path)

    stored = read_secrets(path)
    assert made == ["JUMIN_A_DB_PASSWORD", "JUMIN_B_DB_PASSWORD"]
    assert stored["JUMIN_A_DB_PASSWORD"] != stored["JUMIN_B_DB_PASSWORD"]
    assert all(len(value) >= 32 for value in stored.values())
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_a_second_run_keeps_every_password_and_adds_only_new_ones(tmp_path: Path) -> None:
    path = tmp_path / "passwords.env"
    ensure_secrets(["JUMIN_A_DB_PASSWORD"], path)
    before = read_secrets(path)

    made = ensure_secrets(["JUMIN_A_DB_PASSWORD", "JUMIN_C_AMQP_PASSWORD"], path)

    after = read_secrets(path)
    assert made == ["JUMIN_C_AMQP_PASSWORD"]
    assert after["JUMIN_A_DB_PASSWORD"] == before["JUMIN_A_DB_PASSWORD"]


def test_ensure_covers_every_service_role_and_every_broker_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUMIN_SECRETS_DIR", str(tmp_path))

    assert main(["ensure", "registry", "cs_adapter"]) == 0

    stored = read_secrets(tmp_path / "passwords.env")
    expected = {*service_password_variables("registry"), *service_password_variables("cs_adapter")}
    expected |= {user.password_env for user in Topology().users()}
    assert set(stored) == expected
    names = {user.name for user in Topology().users()} | {"jumin_registry_owner"}
    assert not set(stored.values()) & names  # no password is a user's or role's name
    for user in Topology().users():
        check_password(user.name, stored[user.password_env])  # rabbitmqctl can take each


def test_service_urls_default_to_the_stored_passwords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUMIN_SECRETS_DIR", str(tmp_path))
    for variable in service_password_variables("registry"):
        monkeypatch.delenv(variable, raising=False)
    ensure_secrets(service_password_variables("registry"), tmp_path / "passwords.env")
    stored = read_secrets(tmp_path / "passwords.env")

    class Settings(StoreSettings):
        service = "registry"

    settings = Settings()

    dsn = settings.database_url.get_secret_value()
    assert f"jumin_registry:{stored['JUMIN_REGISTRY_DB_PASSWORD']}@" in dsn
    owner = settings.migration_database_url.get_secret_value()
    assert f"jumin_registry_owner:{stored['JUMIN_REGISTRY_OWNER_PASSWORD']}@" in owner
    amqp = settings.amqp_url.get_secret_value()
    assert f"jumin_registry:{stored['JUMIN_REGISTRY_AMQP_PASSWORD']}@" in amqp
