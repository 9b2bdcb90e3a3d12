"""Provision Jumin's RabbitMQ topology from the command line (deploy/local/provision.sh uses it).

    python -m jumin_platform.topology.cli users [--rabbitmqctl "sudo -- rabbitmqctl"]
    python -m jumin_platform.topology.cli declare [--url amqp://jumin_admin:…@127.0.0.1:5672/jumin]
    python -m jumin_platform.topology.cli show [--json]

`users` needs the vhost to exist and runs rabbitmqctl (as root, or through the given prefix);
`declare` connects as the vhost admin (`jumin_admin`, created by `users`). Settings come from the
environment: JUMIN_AMQP_VHOST (jumin), JUMIN_AMQP_HOST (127.0.0.1), JUMIN_AMQP_PORT (5672),
JUMIN_AMQP_ADMIN_PASSWORD (jumin_admin), JUMIN_<SERVICE>_AMQP_PASSWORD (the user name) and
JUMIN_AMQP_PARTITIONS (scale-out, e.g. `cs=4`; `--partitions` overrides it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from aiormq.exceptions import AMQPError

from jumin_platform.topology import (
    BrokerConfig,
    BrokerSettings,
    Topology,
    TopologyError,
    declare,
    parse_partitions,
    permission_matrix,
    provision_users,
    topology_from_env,
)


def admin_url(topology: Topology, environ: Mapping[str, str] | None = None) -> str:
    """The admin's AMQP URL for the topology's vhost, from JUMIN_AMQP_HOST/PORT and the password."""
    broker = BrokerSettings() if environ is None else BrokerConfig.of(environ)
    admin = topology.user(topology.admin_user)
    return (
        f"amqp://{quote(admin.name, safe='')}:{quote(admin.password(environ), safe='')}"
        f"@{broker.host}:{broker.port}/{quote(topology.vhost, safe='')}"
    )


def _redacted(url: str) -> str:
    head, sep, tail = url.rpartition("@")
    if not sep:
        return url
    scheme, _, userinfo = head.partition("://")
    return f"{scheme}://{userinfo.partition(':')[0]}@{tail}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m jumin_platform.topology.cli", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--partitions",
        default=None,
        help="scale-out: recipient=N[,recipient=N] (default: $JUMIN_AMQP_PARTITIONS)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    users = sub.add_parser("users", help="create users, sync passwords, set permissions")
    users.add_argument(
        "--rabbitmqctl",
        default="rabbitmqctl",
        help='rabbitmqctl command prefix (e.g. "sudo -- rabbitmqctl")',
    )
    dec = sub.add_parser("declare", help="declare exchanges, queues and bindings (as the admin)")
    dec.add_argument("--url", default=None, help="admin AMQP URL (default: built from env)")
    show = sub.add_parser("show", help="print the permission matrix")
    show.add_argument("--json", action="store_true", help="JSON instead of a table")
    return parser


def _show(topology: Topology, as_json: bool) -> None:
    rows = permission_matrix(topology)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    columns = ("user", "scope", "configure", "write", "read")
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        print("  ".join(row[c].ljust(widths[c]) for c in columns).rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        topology = topology_from_env()
        if args.partitions is not None:
            topology = topology.with_partitions(parse_partitions(args.partitions))
        if args.command == "show":
            _show(topology, args.json)
        elif args.command == "users":
            report = provision_users(topology, shlex.split(args.rabbitmqctl))
            for line in report.lines():
                print(f"topology: {line}", file=sys.stderr)
            print(
                f"topology: {len(topology.users())} broker users in sync on vhost {topology.vhost}",
                file=sys.stderr,
            )
        else:
            url = args.url or admin_url(topology)
            asyncio.run(declare(topology, url))
            scaled = [f"{r.name}×{r.partitions}" for r in topology.recipients if r.partitions]
            print(
                f"topology: declared {len(topology.exchanges())} exchanges, "
                f"{len(topology.queues())} queues, {len(topology.bindings())} bindings "
                f"on {_redacted(url)}" + (f" (scale-out: {', '.join(scaled)})" if scaled else ""),
                file=sys.stderr,
            )
    except (TopologyError, ValueError, KeyError, RuntimeError, AMQPError, OSError) as exc:
        print(f"topology: {args.command} failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
