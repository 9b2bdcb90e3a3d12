"""Tests never touch the development vhost `jumin` (the one `make up` runs on).

Two checks, wired into every pytest session by the root conftest.py:

- **Before any test that needs the broker runs** (`settings_naming`): no broker setting of the
  session names the development vhost — `JUMIN_AMQP_VHOST` (what provisioning and the topology
  read) and every `JUMIN_<SERVICE>_AMQP_URL` (what the services connect with). `make test`
  exports the test vhost (`jumin_test`, after the test database); a session pointed at `jumin`
  stops before its first test.
- **Across the whole session** (`snapshot` / `differences`): the `jumin` vhost's queues hold the
  same number of messages at the end as at the start, and nothing was published into it (the
  vhost's cumulative publish counter did not grow), read through the management API. If another
  process is connected to `jumin` (a running `make up`), its traffic cannot be told from the
  tests', so the comparison is reported as inconclusive instead of failing.

The management API refreshes its figures every few seconds (`collect_statistics_interval`, 5 s by
default), so the final snapshot is taken after `STATS_INTERVAL_SECONDS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import httpx
from jumin_platform.topology import DEFAULT_VHOST, VHOST_ENV

from jumin_testing.broker import MANAGEMENT_AUTH, MANAGEMENT_URL, q

__all__ = [
    "DEVELOPMENT_VHOST",
    "STATS_INTERVAL_SECONDS",
    "VhostSnapshot",
    "differences",
    "settings_naming",
    "snapshot",
]

DEVELOPMENT_VHOST = DEFAULT_VHOST
STATS_INTERVAL_SECONDS = 5.5
_AMQP_URL_VARIABLE = re.compile(r"^JUMIN_[A-Z0-9_]+_AMQP_URL$")


def settings_naming(vhost: str, environ: Mapping[str, str]) -> list[str]:
    """Name the broker settings in `environ` that point at `vhost` (none: the session is safe).

    An unset `JUMIN_AMQP_VHOST` means the default vhost, i.e. the development one.
    """
    found = []
    if (environ.get(VHOST_ENV) or DEFAULT_VHOST) == vhost:
        found.append(f"{VHOST_ENV}={environ.get(VHOST_ENV) or '(unset: ' + DEFAULT_VHOST + ')'}")
    for name, value in sorted(environ.items()):
        if _AMQP_URL_VARIABLE.match(name) and value:
            path = urlsplit(value).path
            if unquote(path[1:] if path.startswith("/") else path) == vhost:
                found.append(f"{name} (vhost {vhost})")
    return found


@dataclass(frozen=True)
class VhostSnapshot:
    """What the management API says about one vhost at one moment."""

    messages: dict[str, int]  # queue → messages (ready + unacknowledged)
    published: int | None  # cumulative messages published into the vhost (None: no stats yet)
    connections: int  # open client connections on the vhost


def snapshot(vhost: str = DEVELOPMENT_VHOST) -> VhostSnapshot | None:
    """Read a vhost's queues and counters; None when the broker or the vhost is not there."""
    try:
        with httpx.Client(
            base_url=f"{MANAGEMENT_URL}/api", auth=MANAGEMENT_AUTH, timeout=30
        ) as client:
            overview = client.get(f"/vhosts/{q(vhost)}")
            if overview.status_code != 200:
                return None
            queues = client.get(f"/queues/{q(vhost)}", params={"columns": "name,messages"})
            queues.raise_for_status()
            connections = client.get(f"/vhosts/{q(vhost)}/connections")
            connections.raise_for_status()
    except httpx.HTTPError:
        return None
    stats = overview.json().get("message_stats") or {}
    published = stats.get("publish")
    return VhostSnapshot(
        messages={row["name"]: int(row.get("messages") or 0) for row in queues.json()},
        published=int(published) if published is not None else None,
        connections=len(connections.json()),
    )


def differences(before: VhostSnapshot, after: VhostSnapshot) -> list[str]:
    """Say what changed in the vhost between two snapshots (empty: untouched).

    A publish counter that went *down* was reset (a broker restart, e.g. by the chaos tests): only
    the queues are compared then.
    """
    changed = [
        f"queue {name}: {before.messages.get(name, 0)} → {after.messages.get(name, 0)} messages"
        for name in sorted(before.messages.keys() | after.messages.keys())
        if before.messages.get(name, 0) != after.messages.get(name, 0)
    ]
    if (
        before.published is not None
        and after.published is not None
        and after.published > before.published
    ):
        changed.append(f"{after.published - before.published} messages published into the vhost")
    return changed
