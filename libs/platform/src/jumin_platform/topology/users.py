"""Provision a `Topology`'s broker users and permissions with rabbitmqctl; print the matrix.

Part of `jumin_platform.topology` (import from there).
"""

from __future__ import annotations

__all__ = [
    "ProvisionReport",
    "Runner",
    "check_password",
    "check_pattern",
    "permission_matrix",
    "provision_users",
    "run_command",
]

import json
import re
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jumin_platform.topology.entities import BrokerUser, Permissions

if TYPE_CHECKING:
    from jumin_platform.topology.layout import Topology


#: Runs one rabbitmqctl command line (prefix + arguments) and returns its standard output.
Runner = Callable[[Sequence[str]], str]


def run_command(argv: Sequence[str]) -> str:
    """Default runner: subprocess, raising with rabbitmqctl's own message on failure."""
    done = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # argv may hold a password (add_user/change_password): name the command only.
        command = argv[argv.index("-q") + 1] if "-q" in argv else "rabbitmqctl"
        raise RuntimeError(
            f"rabbitmqctl {command} failed ({done.returncode}): {done.stderr.strip()}"
        )
    return done.stdout


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
    topology no longer names are cleared. The vhost must exist. Users are handled in parallel
    (each rabbitmqctl call costs most of a second).
    """
    prefix = list(rabbitmqctl)
    users = topology.users()
    passwords = {u.name: u.password(environ) for u in users}
    for user in users:
        check_password(user.name, passwords[user.name])
        perms = [user.permissions.configure, user.permissions.write, user.permissions.read]
        for pattern in perms + [p for t in user.topic_permissions for p in (t.write, t.read)]:
            check_pattern(pattern)

    def ctl(*args: str) -> str:
        return runner([*prefix, "-q", *args])

    def listing(*args: str) -> list[dict[str, object]]:
        text = ctl(*args, "--formatter", "json").strip()
        rows = json.loads(text) if text else []
        if not isinstance(rows, list):
            raise RuntimeError(f"unexpected rabbitmqctl output for {args[0]}")
        return [row for row in rows if isinstance(row, dict)]

    vhost = topology.vhost
    existing = {str(row["user"]): row.get("tags") or [] for row in listing("list_users")}
    current_perms = {
        str(row["user"]): Permissions(str(row["configure"]), str(row["write"]), str(row["read"]))
        for row in listing("list_permissions", "-p", vhost)
    }
    current_topics: dict[str, dict[str, tuple[str, str]]] = {}
    for row in listing("list_topic_permissions", "-p", vhost):
        current_topics.setdefault(str(row["user"]), {})[str(row["exchange"])] = (
            str(row["write"]),
            str(row["read"]),
        )

    def provision(user: BrokerUser) -> tuple[bool, bool]:
        created = user.name not in existing
        if created:
            ctl("add_user", user.name, passwords[user.name])
        else:
            ctl("change_password", user.name, passwords[user.name])
        if existing.get(user.name):
            ctl("set_user_tags", user.name)  # no management/administrator tags for services
        changed = current_perms.get(user.name) != user.permissions
        if changed:
            p = user.permissions
            ctl("set_permissions", "-p", vhost, user.name, p.configure, p.write, p.read)
        have = current_topics.get(user.name, {})
        want = {t.exchange: (t.write, t.read) for t in user.topic_permissions}
        for exchange, (write, read) in want.items():
            if have.get(exchange) != (write, read):
                ctl("set_topic_permissions", "-p", vhost, user.name, exchange, write, read)
                changed = True
        for exchange in sorted(set(have) - set(want)):
            ctl("clear_topic_permissions", "-p", vhost, user.name, exchange)
            changed = True
        return created, changed

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        results = list(pool.map(provision, users))
    known = {u.name for u in users}
    return ProvisionReport(
        created=tuple(u.name for u, (c, _) in zip(users, results, strict=True) if c),
        updated_permissions=tuple(u.name for u, (_, p) in zip(users, results, strict=True) if p),
        unmanaged=tuple(sorted((set(current_perms) | set(current_topics)) - known)),
    )


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
