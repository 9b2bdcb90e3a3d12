"""Provision a `Topology`'s broker users and permissions with rabbitmqctl; print the matrix.

Part of `jumin_platform.topology` (import from there).
"""

from __future__ import annotations

__all__ = [
    "ProvisionReport",
    "Runner",
    "check_password",
    "check_pattern",
    "password_hash",
    "permission_matrix",
    "provision_users",
    "run_command",
]

import base64
import hashlib
import json
import re
import secrets
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from jumin_platform.topology.entities import BrokerUser, Permissions

if TYPE_CHECKING:
    from jumin_platform.topology.layout import Topology

#: RabbitMQ's default password hashing (salted SHA-256), named in the imported definitions.
HASHING_ALGORITHM = "rabbit_password_hashing_sha256"


class Runner(Protocol):
    """Runs one rabbitmqctl command line (prefix + arguments) with `stdin` on its standard
    input, and returns its standard output."""

    def __call__(self, argv: Sequence[str], stdin: str | None = None) -> str: ...


def run_command(argv: Sequence[str], stdin: str | None = None) -> str:
    """Default runner: subprocess, raising with rabbitmqctl's own message on failure."""
    done = subprocess.run(list(argv), input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        command = argv[argv.index("-q") + 1] if "-q" in argv else "rabbitmqctl"
        raise RuntimeError(
            f"rabbitmqctl {command} failed ({done.returncode}): {done.stderr.strip()}"
        )
    return done.stdout


def password_hash(password: str, salt: bytes | None = None) -> str:
    """The password as RabbitMQ's internal backend stores it (`HASHING_ALGORITHM`):
    base64(salt + SHA-256(salt + password)), with a random 4-byte salt."""
    salt = secrets.token_bytes(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def check_password(user: str, password: str) -> None:
    """Debian's rabbitmqctl wrapper re-parses arguments with `su -c "…"`: `$`, backtick and
    backslash would be mangled (and could run commands). Refuse them, as provision.sh does."""
    if not password:
        raise ValueError(f"empty AMQP password for {user}")
    if any(c in password for c in "$`\\"):
        raise ValueError(f"AMQP password of {user} must not contain $, ` or \\")


def check_pattern(pattern: str) -> None:
    """A permission regex must survive the same `su -c "…"` re-parse unchanged."""
    bad = "`" in pattern or "\\\\" in pattern or re.search(r"\$(?![|)]|$)", pattern)
    if bad:
        raise ValueError(
            f"permission regex {pattern!r} would be mangled by the rabbitmqctl wrapper"
        )


@dataclass(frozen=True)
class ProvisionReport:
    """What `provision_users` did, for the log (never holds a password)."""

    created: tuple[str, ...]
    updated_permissions: tuple[str, ...]
    #: users with permissions on the vhost that the topology does not know
    unmanaged: tuple[str, ...]

    def lines(self) -> Iterator[str]:
        if self.created:
            yield "created users: " + ", ".join(self.created)
        if self.updated_permissions:
            yield "set permissions for: " + ", ".join(self.updated_permissions)
        if self.unmanaged:
            yield "WARNING: users not in the topology have permissions on the vhost: " + ", ".join(
                self.unmanaged
            )


def provision_users(
    topology: Topology,
    rabbitmqctl: Sequence[str] = ("rabbitmqctl",),
    *,
    environ: Mapping[str, str] | None = None,
    runner: Runner = run_command,
) -> ProvisionReport:
    """Create/update every broker user of the topology and set its permissions on the vhost.

    Idempotent: existing users get their password re-synced to the environment
    (`JUMIN_<SERVICE>_AMQP_PASSWORD`, default the user name; admin: `JUMIN_AMQP_ADMIN_PASSWORD`),
    tags cleared, and only differing permissions rewritten. Topic permissions on exchanges the
    topology no longer names are cleared. The vhost must exist. Each rabbitmqctl call starts an
    Erlang VM (most of a second of CPU), so the three listings run at once and every write goes
    in one `rabbitmqctl import_definitions`, read from its standard input (no password in argv).
    """
    prefix = list(rabbitmqctl)
    users = topology.users()
    passwords = {u.name: u.password(environ) for u in users}
    for user in users:
        check_password(user.name, passwords[user.name])
        perms = [user.permissions.configure, user.permissions.write, user.permissions.read]
        for pattern in perms + [p for t in user.topic_permissions for p in (t.write, t.read)]:
            check_pattern(pattern)

    def ctl(*args: str, stdin: str | None = None) -> str:
        return runner([*prefix, "-q", *args], stdin)

    vhost = topology.vhost
    state = _BrokerState.read(ctl, vhost)
    definitions = _definitions(users, passwords, vhost, state)
    ctl("import_definitions", stdin=json.dumps(definitions))
    stale = [
        (user.name, exchange)
        for user in users
        for exchange in sorted(set(state.topics.get(user.name, {})) - _exchanges(user))
    ]
    for name, exchange in stale:
        ctl("clear_topic_permissions", "-p", vhost, name, exchange)
    changed = {p["user"] for p in definitions["permissions"]}
    changed |= {t["user"] for t in definitions["topic_permissions"]}
    changed |= {name for name, _ in stale}
    known = {u.name for u in users}
    return ProvisionReport(
        created=tuple(u.name for u in users if u.name not in state.users),
        updated_permissions=tuple(u.name for u in users if u.name in changed),
        unmanaged=tuple(sorted((set(state.permissions) | set(state.topics)) - known)),
    )


class _Ctl(Protocol):
    """rabbitmqctl bound to its prefix: `ctl("list_users", "--formatter", "json")`."""

    def __call__(self, *args: str, stdin: str | None = None) -> str: ...


@dataclass(frozen=True)
class _BrokerState:
    """What the broker holds now: its users, and the vhost's permissions and topic permissions."""

    users: frozenset[str]
    permissions: dict[str, Permissions]
    topics: dict[str, dict[str, tuple[str, str]]]

    @classmethod
    def read(cls, ctl: _Ctl, vhost: str) -> _BrokerState:
        """Run the three listings at once."""

        def listing(args: tuple[str, ...]) -> list[dict[str, object]]:
            text = ctl(*args, "--formatter", "json").strip()
            rows = json.loads(text) if text else []
            if not isinstance(rows, list):
                raise RuntimeError(f"unexpected rabbitmqctl output for {args[0]}")
            return [row for row in rows if isinstance(row, dict)]

        commands = [
            ("list_users",),
            ("list_permissions", "-p", vhost),
            ("list_topic_permissions", "-p", vhost),
        ]
        with ThreadPoolExecutor(max_workers=len(commands)) as pool:
            users, permissions, topics = pool.map(listing, commands)
        current_topics: dict[str, dict[str, tuple[str, str]]] = {}
        for row in topics:
            current_topics.setdefault(str(row["user"]), {})[str(row["exchange"])] = (
                str(row["write"]),
                str(row["read"]),
            )
        return cls(
            users=frozenset(str(row["user"]) for row in users),
            permissions={
                str(r["user"]): Permissions(str(r["configure"]), str(r["write"]), str(r["read"]))
                for r in permissions
            },
            topics=current_topics,
        )


def _exchanges(user: BrokerUser) -> set[str]:
    return {t.exchange for t in user.topic_permissions}


def _definitions(
    users: Sequence[BrokerUser], passwords: Mapping[str, str], vhost: str, state: _BrokerState
) -> dict[str, list[dict[str, Any]]]:
    """What to import: every user (password re-synced, no management/administrator tags) and
    the vhost and topic permissions that differ from what the broker holds."""
    permissions: list[dict[str, Any]] = []
    topics: list[dict[str, Any]] = []
    for user in users:
        p = user.permissions
        if state.permissions.get(user.name) != p:
            grant = {"configure": p.configure, "write": p.write, "read": p.read}
            permissions.append({"user": user.name, "vhost": vhost, **grant})
        have = state.topics.get(user.name, {})
        for t in user.topic_permissions:
            if have.get(t.exchange) != (t.write, t.read):
                topic = {"exchange": t.exchange, "write": t.write, "read": t.read}
                topics.append({"user": user.name, "vhost": vhost, **topic})
    accounts = [
        {
            "name": user.name,
            "password_hash": password_hash(passwords[user.name]),
            "hashing_algorithm": HASHING_ALGORITHM,
            "tags": [],
        }
        for user in users
    ]
    return {"users": accounts, "permissions": permissions, "topic_permissions": topics}


def permission_matrix(topology: Topology) -> list[dict[str, str]]:
    """One row per (user, scope): the vhost permissions and each topic permission, for docs/CLI."""
    rows: list[dict[str, str]] = []
    for user in topology.users():
        p = user.permissions
        rows.append(
            {
                "user": user.name,
                "scope": f"vhost {topology.vhost}",
                "configure": p.configure,
                "write": p.write,
                "read": p.read,
            }
        )
        rows += [
            {
                "user": user.name,
                "scope": f"topic {t.exchange}",
                "configure": "",
                "write": t.write,
                "read": t.read,
            }
            for t in user.topic_permissions
        ]
    return rows
