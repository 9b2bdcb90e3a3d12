"""Broker users and their provisioning: the patterns and passwords rabbitmqctl is given survive
Debian's wrapper, and `provision_users` creates, re-syncs and repairs users against a simulated
rabbitmqctl (the real broker: ../integration/broker), writing everything in one import_definitions."""

from __future__ import annotations

import base64
import hashlib
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
    password_hash,
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
        #: user → (password hash as RabbitMQ stores it, tags)
        self.users: dict[str, tuple[str, list[str]]] = {
            "guest": (password_hash("guest"), ["administrator"])
        }
        self.perms: dict[tuple[str, str], tuple[str, str, str]] = {}
        self.topics: dict[tuple[str, str, str], tuple[str, str]] = {}
        self.calls: list[list[str]] = []

    def accepts(self, user: str, password: str) -> bool:
        """The broker would let `user` log in with `password` (salted SHA-256, as RabbitMQ)."""
        stored = base64.b64decode(self.users[user][0])
        salt, digest = stored[:4], stored[4:]
        return hashlib.sha256(salt + password.encode()).digest() == digest

    def import_definitions(self, text: str) -> None:
        """Apply users, permissions and topic permissions as RabbitMQ's import does."""
        definitions = json.loads(text)
        assert set(definitions) <= {"users", "permissions", "topic_permissions"}
        for user in definitions["users"]:
            assert user["hashing_algorithm"] == "rabbit_password_hashing_sha256"
            self.users[user["name"]] = (user["password_hash"], list(user["tags"]))
        for p in definitions["permissions"]:
            assert p["user"] in self.users
            self.perms[(p["vhost"], p["user"])] = (p["configure"], p["write"], p["read"])
        for t in definitions["topic_permissions"]:
            assert t["user"] in self.users
            self.topics[(t["vhost"], t["user"], t["exchange"])] = (t["write"], t["read"])

    def __call__(self, argv: Sequence[str], stdin: str | None = None) -> str:
        assert argv[:2] == ["sudo", "rabbitmqctl"]
        assert argv[2] == "-q"
        args = list(argv[3:])
        self.calls.append(args)
        command, rest = args[0], args[1:]
        if command == "import_definitions":
            assert stdin is not None
            assert rest == [], "definitions come on stdin, never as an argument"
            self.import_definitions(stdin)
            return ""
        assert stdin is None
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
        assert vhost is not None
        if command == "clear_topic_permissions":
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
    assert ctl.accepts("jumin_koseki_adapter", "k-pass")  # the environment wins
    stored = read_secrets(secrets_file(stored_passwords))
    assert ctl.accepts("jumin_cs_adapter", stored["JUMIN_CS_ADAPTER_AMQP_PASSWORD"])
    assert not any(ctl.accepts(u.name, u.name) for u in topology.users())
    assert all(ctl.users[u.name][1] == [] for u in topology.users())
    for user in topology.users():
        p = user.permissions
        assert ctl.perms[("jumin", user.name)] == (p.configure, p.write, p.read)
        for t in user.topic_permissions:
            assert ctl.topics[("jumin", user.name, t.exchange)] == (t.write, t.read)
    assert ctl.accepts("guest", "guest")  # not ours: untouched
    assert ctl.users["guest"][1] == ["administrator"]
    assert ctl.writes() == ["import_definitions"]  # one rabbitmqctl start for every write

    ctl.calls.clear()
    before = dict(ctl.perms), dict(ctl.topics)
    env["JUMIN_CS_ADAPTER_AMQP_PASSWORD"] = "cs-rotated"
    second = provision_users(topology, ["sudo", "rabbitmqctl"], environ=env, runner=ctl)
    assert second.created == ()
    assert second.updated_permissions == ()
    assert ctl.writes() == ["import_definitions"]
    assert (ctl.perms, ctl.topics) == before
    assert ctl.accepts("jumin_cs_adapter", "cs-rotated")  # passwords re-synced every time
    assert not ctl.accepts("jumin_cs_adapter", stored["JUMIN_CS_ADAPTER_AMQP_PASSWORD"])


def test_provision_users_repairs_drift_and_reports_strangers(
    topology: Topology, stored_passwords: dict[str, str]
) -> None:
    ctl = FakeRabbitmqctl()
    provision_users(topology, ["sudo", "rabbitmqctl"], environ=stored_passwords, runner=ctl)
    ctl.perms[("jumin", "jumin_cs_adapter")] = (".*", ".*", ".*")
    ctl.topics[("jumin", "jumin_cs_adapter", "amq.topic")] = (".*", ".*")
    ctl.users["jumin_registry"] = (ctl.users["jumin_registry"][0], ["management"])
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
