"""Real-broker fixtures: a throwaway vhost with Jumin's topology and the real users' permissions.

Each test gets its own vhost `jumin_broker_test_<hex>`: the topology from `jumin_platform.topology`
is declared there by `jumin_admin`, and every broker user of the topology (created by
deploy/local/provision.sh, which `make test` runs first) is granted exactly the topology's vhost and
topic permissions on it. So the tests exercise the real accounts and the real permission matrix
without touching the `jumin` vhost that a running `make up` consumes from. The vhost (with its
permissions) is deleted afterwards.

Setup goes through the management HTTP API (default http://127.0.0.1:15672, guest/guest;
override with JUMIN_RABBITMQ_MANAGEMENT_URL/_USER/_PASSWORD), so the tests need no root.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from urllib.parse import quote

import aio_pika
import aio_pika.abc
import httpx
import pytest
from jumin_platform.topology import Topology, declare, topology_from_env

MANAGEMENT_URL = os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
MANAGEMENT_AUTH = (
    os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_USER", "guest"),
    os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_PASSWORD", "guest"),
)
AMQP_HOST = os.environ.get("JUMIN_AMQP_HOST", "127.0.0.1")
AMQP_PORT = os.environ.get("JUMIN_AMQP_PORT", "5672")


def management() -> httpx.Client:
    """A management-API client (administrator credentials)."""
    return httpx.Client(base_url=f"{MANAGEMENT_URL}/api", auth=MANAGEMENT_AUTH, timeout=30)


def q(name: str) -> str:
    """Percent-encode one path segment of a management-API URL (vhost, user, queue)."""
    return quote(name, safe="")


@dataclass
class Sandbox:
    """A vhost carrying the topology; `connect(user)` opens an AMQP connection as that user."""

    topology: Topology
    connections: list[aio_pika.abc.AbstractRobustConnection | aio_pika.abc.AbstractConnection]

    @property
    def vhost(self) -> str:
        return self.topology.vhost

    def url(self, user: str) -> str:
        password = self.topology.user(user).password()
        return f"amqp://{q(user)}:{q(password)}@{AMQP_HOST}:{AMQP_PORT}/{q(self.vhost)}"

    async def connect(self, user: str) -> aio_pika.abc.AbstractConnection:
        connection = await aio_pika.connect(self.url(user))
        self.connections.append(connection)
        return connection

    async def redeclare(self, topology: Topology) -> None:
        """Declare another version of the topology (e.g. scale-out switched on) in this vhost."""
        assert topology.vhost == self.vhost
        self.topology = topology
        await declare(topology, self.url(topology.admin_user))


def _grant(client: httpx.Client, topology: Topology) -> None:
    vhost = q(topology.vhost)
    for user in topology.users():
        if client.get(f"/users/{q(user.name)}").status_code != 200:
            pytest.fail(
                f"broker user {user.name} does not exist: run deploy/local/provision.sh "
                "(`make test` does) before the broker tests"
            )
        p = user.permissions
        client.put(
            f"/permissions/{vhost}/{q(user.name)}",
            json={"configure": p.configure, "write": p.write, "read": p.read},
        ).raise_for_status()
        for t in user.topic_permissions:
            client.put(
                f"/topic-permissions/{vhost}/{q(user.name)}",
                json={"exchange": t.exchange, "write": t.write, "read": t.read},
            ).raise_for_status()


SandboxFactory = Callable[[Topology], Awaitable[Sandbox]]


@pytest.fixture
async def make_sandbox() -> AsyncIterator[SandboxFactory]:
    """Build sandboxes from topologies (the vhost name is replaced by a fresh one)."""
    made: list[Sandbox] = []
    client = management()
    try:
        client.get("/overview").raise_for_status()
    except httpx.HTTPError as exc:
        client.close()
        pytest.fail(f"RabbitMQ management API at {MANAGEMENT_URL} unreachable ({exc}); `make test`")

    async def build(topology: Topology) -> Sandbox:
        vhost = f"jumin_broker_test_{secrets.token_hex(4)}"
        topology = replace(topology, vhost=vhost)
        client.put(f"/vhosts/{q(vhost)}").raise_for_status()
        sandbox = Sandbox(topology, [])
        made.append(sandbox)
        _grant(client, topology)
        await declare(topology, sandbox.url(topology.admin_user))
        return sandbox

    try:
        yield build
    finally:
        for sandbox in made:
            for connection in sandbox.connections:
                if not connection.is_closed:
                    await connection.close()
            client.delete(f"/vhosts/{q(sandbox.vhost)}")
        client.close()


@pytest.fixture
async def sandbox(make_sandbox: SandboxFactory) -> Sandbox:
    """The default topology (no scale-out) in a fresh vhost."""
    return await make_sandbox(Topology())


@pytest.fixture
def provisioned_topology() -> Topology:
    """The topology deploy/local/provision.sh applied to the real vhost (same environment)."""
    return topology_from_env()
