"""Broker users and their provisioning: the patterns and passwords rabbitmqctl is given survive
Debian's wrapper, and `provision_users` creates, re-syncs and repairs users against a simulated
rabbitmqctl (the real broker: ../integration/broker)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from jumin_platform.secrets import read_secrets, secrets_file
from jumin_platform.topology import (
    BrokerUser,
    Permissions,
    Topology,
    check_password,
    check_pattern,
    provision_users,
)


# ---- rabbitmqctl safety --------------------------------------------------------------------------
def test_every_pattern_survives_the_debian_rabbitmqctl_wrapper(topology: Topology) -> None:
    for user in topology.users():
        p = user.permissions
        for pattern in (p.configure, p.write, p.read):
            check_pattern(pattern)
        for t in user.topic_permissions:
            check_pattern(t.write)
            check_pattern(t.read)


@pytest.mark.parametrize("pattern", ["^a$b", "`id`", r"a\\b", "$HOME"])
def test_mangled_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="mangled"):
        check_pattern(pattern)


@pytest.mark.parametrize("password", ["", "a$b", "a`b", "a\\b"])
def test_unsafe_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValueError, match="AMQP password"):
        check_password("jumin_cs_adapter", password)


# ---- provision_users against a simulated rabbitmqctl --------------------------------------------
class FakeRabbitmqctl:
    """Just enough of `rabbitmqctl -q …` state for provision_users."""

    def __init__(self) -> None:
        self.users: dict[str, tuple[str, list[str]]] = {"guest": ("guest", ["administrator"])}
        self.perms: dict[tuple[str, str], tuple[str, str, str]] = {}
        self.topics: dict[tuple[str, str, str], tuple[str, str]] = {}
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> str:
        assert argv[:2] == ["sudo", "rabbitmqctl"]
        assert argv[2] == "-q"
        args = list(argv[3:])
        self.calls.append(args)
        command, rest = args[0], args[1:]
        vhost = rest[rest.index("-p") + 1] if "-p" in rest else None
        rest = [a for i, a in enumerate(rest) if a != "-p" and (i == 0 or rest[i - 1] != "-p")]
        if command == "list_users":
            return json.dumps([{"user": u, "tags": t} for u, (_, t) in self.users.items()])
        if command == "list_permissions":
            return json.dumps(
                [
                    {"user": u, "configure": c, "write": w, "read": r}
                    for (v, u), (c, w, r) in self.perms.items()
                    if v == vhost
                ]
            )
        if command == "list_topic_permissions":
            return json.dumps(
                [
                    {"user": u, "exchange": x, "write": w, "read": r}
                    for (v, u, x), (w, r) in self.topics.items()
                    if v == vhost
                ]
            )
        assert vhost is not None or command in ("add_user", "change_password", "set_user_tags")
        if command == "add_user":
            assert rest[0] not in self.users
            self.users[rest[0]] = (rest[1], [])
        elif command == "change_password":
            self.users[rest[0]] = (rest[1], self.users[rest[0]][1])
        elif command == "set_user_tags":
            self.users[rest[0]] = (self.users[rest[0]][0], rest[1:])
        elif command == "set_permissions":
            assert vhost is not None
            self.perms[(vhost, rest[0])] = (rest[1], rest[2], rest[3])
        elif command == "set_topic_permissions":
            assert vhost is not None
            self.topics[(vhost, rest[0], rest[1])] = (rest[2], rest[3])
        elif command == "clear_topic_permissions":
            assert vhost is not None
            del self.topics[(vhost, rest[0], rest[1])]
        else:  # pragma: no cover - a command the fake does not know
            raise AssertionError(command)
        return ""

    def writes(self) -> list[str]:
        return [c[0] for c in self.calls if not c[0].startswith("list_")]


def test_provision_users_creates_everything_then_only_resyncs_passwords(
    topology: Topology, stored_passwords: dict[str, str]
) -> None:
    ctl = FakeRabbitmqctl()
    env = {**stored_passwords, "JUMIN_KOSEKI_ADAPTER_AMQP_PASSWORD": "k-pass"}
    first = provision_users(topology, ["sudo", "rabbitmqctl"], environ=env, runner=ctl)
    assert set(first.created) == {u.name for u in topology.users()}
    assert ctl.users["jumin_koseki_adapter"][0] == "k-pass"  # the environment wins
    stored = read_secrets(secrets_file(stored_passwords))
    assert ctl.users["jumin_cs_adapter"][0] == stored["JUMIN_CS_ADAPTER_AMQP_PASSWORD"]
    assert all(ctl.users[u.name][0] != u.name for u in topology.users())
    for user in topology.users():
        p = user.permissions
        assert ctl.perms[("jumin", user.name)] == (p.configure, p.write, p.read)
        for t in user.topic_permissions:
            assert ctl.topics[("jumin", user.name, t.exchange)] == (t.write, t.read)
    assert ctl.users["guest"] == ("guest", ["administrator"])  # not ours: untouched

    ctl.calls.clear()
    second = provision_users(topology, ["sudo", "rabbitmqctl"], environ=env, runner=ctl)
    assert second.created == ()
    assert second.updated_permissions == ()
    assert ctl.writes() == ["change_password"] * len(topology.users())


def test_provision_users_repairs_drift_and_reports_strangers(
    topology: Topology, stored_passwords: dict[str, str]
) -> None:
    ctl = FakeRabbitmqctl()
    provision_users(topology, ["sudo", "rabbitmqctl"], environ=stored_passwords, runner=ctl)
    ctl.perms[("jumin", "jumin_cs_adapter")] = (".*", ".*", ".*")
    ctl.topics[("jumin", "jumin_cs_adapter", "amq.topic")] = (".*", ".*")
    ctl.users["jumin_registry"] = ("jumin_registry", ["management"])
    ctl.perms[("jumin", "guest")] = (".*", ".*", ".*")

    report = provision_users(
        topology, ["sudo", "rabbitmqctl"], environ=stored_passwords, runner=ctl
    )
    assert set(report.updated_permissions) == {"jumin_cs_adapter"}
    assert report.unmanaged == ("guest",)
    assert any("guest" in line for line in report.lines())
    cs = topology.user("jumin_cs_adapter").permissions
    assert ctl.perms[("jumin", "jumin_cs_adapter")] == (cs.configure, cs.write, cs.read)
    assert ("jumin", "jumin_cs_adapter", "amq.topic") not in ctl.topics
    assert ctl.users["jumin_registry"][1] == []


def test_provision_users_checks_passwords_before_touching_the_broker(
    topology: Topology, stored_passwords: dict[str, str]
) -> None:
    ctl = FakeRabbitmqctl()
    with pytest.raises(ValueError, match="jumin_certificates"):
        provision_users(
            topology,
            ["sudo", "rabbitmqctl"],
            environ={**stored_passwords, "JUMIN_CERTIFICATES_AMQP_PASSWORD": "bad$pw"},
            runner=ctl,
        )
    assert ctl.calls == []


def test_a_user_without_a_password_stops_provisioning(topology: Topology, tmp_path: Path) -> None:
    ctl = FakeRabbitmqctl()
    with pytest.raises(ValueError, match="empty AMQP password for jumin_admin"):
        provision_users(
            topology, ["rabbitmqctl"], environ={"JUMIN_SECRETS_DIR": str(tmp_path)}, runner=ctl
        )
    assert ctl.calls == []


def test_broker_user_is_a_plain_value() -> None:
    user = BrokerUser("jumin_x", "JUMIN_X_AMQP_PASSWORD", Permissions("^$", "^$", "^$"))
    nowhere = {"JUMIN_SECRETS_DIR": "/nonexistent", "JUMIN_X_AMQP_PASSWORD": ""}
    assert user.password(nowhere) == ""  # nothing set or stored: no password, never the name
