"""Where the CPU goes during a bench phase: user + system time per process group, from /proc.

Groups: the bench's own roles by pid (relay, kit-<recipient>, …), the bench's main process
(approvals and bookkeeping), PostgreSQL backends serving the bench's database, PostgreSQL's shared
server processes (WAL writer, checkpointer, … — they work for every database), RabbitMQ (the
`rabbitmq` user's processes: one node for every vhost) and everything else on the machine (other
people's work included, so a noisy neighbour shows up instead of silently slowing the figures).

Time is taken per process between two snapshots: a process started in between counts in full, one
that ended in between is lost (the bench's own processes and pooled backends live through a phase).
"""

from __future__ import annotations

import os
import pwd
from collections import defaultdict
from collections.abc import Mapping

_TICKS = os.sysconf("SC_CLK_TCK")

#: pid → (group, CPU seconds so far)
Snapshot = dict[int, tuple[str, float]]


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _postgres_group(pid: int, database: str) -> str:
    """`postgres: 15/main: <user> <database> <client> <state>` for a backend."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            title = handle.read().replace(b"\0", b" ").decode(errors="replace").split()
    except OSError:
        return "other"
    if database and database in title:
        return "postgres (bench database)"
    if any(word.startswith("127.0.0.1(") or word.startswith("[local]") for word in title):
        return "other"  # a backend of another database: someone else's work
    return "postgres (shared: wal, checkpoint…)"


def snapshot(roles: Mapping[int, str], *, database: str = "") -> Snapshot:
    """CPU seconds used so far by every process, with its group (see the module docstring)."""
    me = os.getpid()
    taken: Snapshot = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            with open(f"/proc/{pid}/stat") as handle:
                stat = handle.read()
            uid = entry.stat().st_uid
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / _TICKS
        if pid in roles:
            group = roles[pid]
        elif pid == me:
            group = "bench-main"
        else:
            owner = _owner(uid)
            if owner == "postgres":
                group = _postgres_group(pid, database)
            else:
                group = "rabbitmq" if owner == "rabbitmq" else "other"
        taken[pid] = (group, seconds)
    return taken


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


def per_message_ms(before: Snapshot, after: Snapshot, messages: int) -> dict[str, float]:
    """CPU milliseconds per message per group, largest first."""
    spent: defaultdict[str, float] = defaultdict(float)
    for pid, (group, seconds) in after.items():
        earlier = before.get(pid)
        spent[group] += seconds - (earlier[1] if earlier else 0.0)
    ordered = sorted(spent.items(), key=lambda item: -item[1])
    return {group: round(1000 * seconds / messages, 3) for group, seconds in ordered if seconds > 0}
