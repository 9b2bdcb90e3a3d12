"""Throwaway RabbitMQ vhosts carrying Jumin's topology and the real broker users' permissions.

The one copy of the set-up shared by the platform's broker and consumer-kit tests, the registry's
and cs_adapter's integration tests, the end-to-end slice and the benchmarks:
`sandbox_vhost(topology, prefix=...)` makes a vhost `<prefix>_<hex>`, grants every broker user of
the topology (created by deploy/local/provision.sh, which `make test` runs first) exactly the
topology's vhost and topic permissions on it, declares the topology there as `jumin_admin`, and on
the way out — also when the test failed — closes the connections opened through it and deletes the
vhost with everything in it. Nothing touches the shared `jumin` vhost, which a running `make up`
and other sessions publish to and consume from. `recreate_vhost` does the same for a benchmark's
fixed vhost.

Set-up goes through the management HTTP API (default http://127.0.0.1:15672, guest/guest; override
with JUMIN_RABBITMQ_MANAGEMENT_URL/_USER/_PASSWORD), so the tests need no root; AMQP goes to
JUMIN_AMQP_HOST:JUMIN_AMQP_PORT (default 127.0.0.1:5672).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from urllib.parse import quote

import aio_pika
import aio_pika.abc
import httpx
import pytest
from jumin_platform.topology import BrokerSettings, Topology, declare
from pydantic_settings import BaseSettings, SettingsConfigDict


class ManagementSettings(BaseSettings):
    """The RabbitMQ management API the sandboxes are made through (JUMIN_RABBITMQ_MANAGEMENT_*)."""

    model_config = SettingsConfigDict(
        env_prefix="JUMIN_RABBITMQ_MANAGEMENT_", env_file=".env", extra="ignore", frozen=True
    )

    url: str = "http://127.0.0.1:15672"
    user: str = "guest"
    password: str = "guest"


_MANAGEMENT = ManagementSettings()
_BROKER = BrokerSettings()
MANAGEMENT_URL = _MANAGEMENT.url
MANAGEMENT_AUTH = (_MANAGEMENT.user, _MANAGEMENT.password)
AMQP = f"{_BROKER.host}:{_BROKER.port}"


class BrokerUserMissing(RuntimeError):
    """A broker user of the topology does not exist: run deploy/local/provision.sh first."""


def management() -> httpx.Client:
    """A management-API client (administrator credentials), for checks inside a test."""
    return httpx.Client(base_url=f"{MANAGEMENT_URL}/api", auth=MANAGEMENT_AUTH, timeout=60)


def _management_async() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=f"{MANAGEMENT_URL}/api", auth=MANAGEMENT_AUTH, timeout=60)


def q(name: str) -> str:
    """Percent-encode one path segment of a management-API or AMQP URL (vhost, user, queue)."""
    return quote(name, safe="")


@dataclass
class Sandbox:
    """A vhost carrying the topology; `connect(user)` opens an AMQP connection as that user."""

    topology: Topology
    amqp: str = AMQP  # host:port
    connections: list[aio_pika.abc.AbstractConnection] = field(default_factory=list)

    @property
    def vhost(self) -> str:
        return self.topology.vhost

    def url(self, user: str) -> str:
        """The AMQP URL of one broker user of the topology, on this vhost."""
        password = self.topology.user(user).password()
        return f"amqp://{q(user)}:{q(password)}@{self.amqp}/{q(self.vhost)}"

    async def connect(self, user: str) -> aio_pika.abc.AbstractConnection:
        """Connect as `user`; the connection is closed when the sandbox goes."""
        connection = await aio_pika.connect(self.url(user))
        self.connections.append(connection)
        return connection

    async def redeclare(self, topology: Topology) -> None:
        """Declare another version of the topology (e.g. scale-out switched on) in this vhost."""
        assert topology.vhost == self.vhost
        self.topology = topology
        await declare(topology, self.url(topology.admin_user))

    async def purge_queues(self) -> None:
        """Empty every queue of the vhost."""
        async with _management_async() as client:
            for queue in (await client.get(f"/queues/{q(self.vhost)}")).json():
                await client.delete(f"/queues/{q(self.vhost)}/{q(queue['name'])}/contents")

    async def close_connections(self) -> None:
        for connection in self.connections:
            if not connection.is_closed:
                await connection.close()


SandboxFactory = Callable[[Topology], Awaitable[Sandbox]]
"""Build a sandbox from a topology (the broker tests' `make_sandbox` fixture)."""


async def _grant(client: httpx.AsyncClient, topology: Topology) -> None:
    """Give every broker user of the topology exactly its permissions on the topology's vhost."""
    vhost = q(topology.vhost)
    for user in topology.users():
        if (await client.get(f"/users/{q(user.name)}")).status_code != 200:
            raise BrokerUserMissing(
                f"broker user {user.name} does not exist: run deploy/local/provision.sh "
                "(`make test` does) first"
            )
        p = user.permissions
        permissions = {"configure": p.configure, "write": p.write, "read": p.read}
        response = await client.put(f"/permissions/{vhost}/{q(user.name)}", json=permissions)
        response.raise_for_status()
        for t in user.topic_permissions:
            topic = {"exchange": t.exchange, "write": t.write, "read": t.read}
            response = await client.put(f"/topic-permissions/{vhost}/{q(user.name)}", json=topic)
            response.raise_for_status()


ADMIN_LOCK = os.environ.get("JUMIN_BROKER_ADMIN_LOCK", "/tmp/jumin-broker-admin.lock")
"""The machine's broker-administration lock, shared with deploy/local/provision.sh."""


@contextlib.asynccontextmanager
async def admin_lock() -> AsyncIterator[None]:
    """Hold the machine-wide lock while a vhost is made, granted or deleted.

    RabbitMQ 3.10 can wedge (every vhost command hangs until it is restarted) when several
    processes create and delete vhosts at once — parallel test runs on one machine did it.
    """
    lock = os.open(ADMIN_LOCK, os.O_CREAT | os.O_RDWR, 0o666)  # a local file: does not block
    try:
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        yield
    finally:
        os.close(lock)  # closing releases the lock


@contextlib.asynccontextmanager
async def sandbox_vhost(
    topology: Topology, *, prefix: str, amqp: str = AMQP
) -> AsyncIterator[Sandbox]:
    """`topology` (its vhost name replaced by a fresh `<prefix>_<hex>`) in a new vhost.

    The vhost is deleted on the way out, whatever happened inside.
    """
    sandbox = Sandbox(replace(topology, vhost=f"{prefix}_{secrets.token_hex(4)}"), amqp)
    vhost = q(sandbox.vhost)
    async with _management_async() as client:
        try:
            async with admin_lock():
                (await client.put(f"/vhosts/{vhost}")).raise_for_status()
                await _grant(client, sandbox.topology)
        except httpx.HTTPError as exc:
            await _delete(client, vhost)
            pytest.fail(f"RabbitMQ management API at {MANAGEMENT_URL} unusable ({exc})")
        except BrokerUserMissing as exc:
            await _delete(client, vhost)
            pytest.fail(str(exc))
        try:
            await declare(sandbox.topology, sandbox.url(sandbox.topology.admin_user))
            yield sandbox
        finally:
            try:
                await sandbox.close_connections()
            finally:
                await _delete(client, vhost)


async def _delete(client: httpx.AsyncClient, vhost: str) -> None:
    async with admin_lock():
        await client.delete(f"/vhosts/{vhost}")


async def recreate_vhost(topology: Topology, admin_url: str) -> None:
    """Delete the topology's vhost if it exists, create it, grant its users, declare the topology."""
    await delete_vhost(topology.vhost)
    async with _management_async() as client, admin_lock():
        (await client.put(f"/vhosts/{q(topology.vhost)}")).raise_for_status()
        await _grant(client, topology)
    await declare(topology, admin_url)


async def delete_vhost(vhost: str) -> None:
    """Delete the vhost with everything in it (provisioning makes it again, empty)."""
    async with _management_async() as client, admin_lock():
        response = await client.delete(f"/vhosts/{q(vhost)}")
        if response.status_code not in (204, 404):
            response.raise_for_status()
