"""What Jumin runs on listens on this machine only: PostgreSQL, RabbitMQ (AMQP, management API,
Erlang distribution) and epmd accept no connection from the network.

`deploy/local/bootstrap.sh` configures a broker it installs that way before its first start and
warns about one that listens wider; this test checks the machine as `make test` finds it.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess

import pytest

PORTS = {
    5432: "PostgreSQL",
    5672: "AMQP",
    15672: "RabbitMQ management",
    4369: "epmd",
    25672: "Erlang distribution",
}


def listening() -> list[tuple[str, int]]:
    """(address, port) of every listening TCP socket, from `ss`."""
    ss = shutil.which("ss")
    if ss is None:
        pytest.fail("ss (iproute2) is needed to list the listening sockets")
    out = subprocess.run([ss, "-Hltn"], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        local = line.split()[3]
        address, _, port = local.rpartition(":")
        found.append((address.strip("[]").split("%")[0], int(port)))
    return found


def test_every_service_jumin_uses_listens_on_loopback_only() -> None:
    ours = [(address, port) for address, port in listening() if port in PORTS]

    assert {port for _, port in ours} >= {5432, 5672, 15672}, "PostgreSQL and RabbitMQ run"
    wide = [
        f"{PORTS[port]} on {address}:{port}"
        for address, port in ours
        if address == "*" or not ipaddress.ip_address(address).is_loopback
    ]
    assert not wide, f"reachable from the network: {', '.join(wide)}"
