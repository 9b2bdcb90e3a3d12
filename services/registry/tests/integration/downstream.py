"""A real recipient downstream of the relay, isolated from other test sessions.

The `jumin` vhost's recipient queues are shared with other test sessions (and a running `make up`):
consuming or purging them there steals or drops others' messages.  So, as tests/broker/conftest.py
does, `broker_sandbox` makes a throwaway vhost `jumin_registry_test_<hex>`, grants every broker user
of the topology (created by deploy/local/provision.sh) exactly its permissions there through the
management API (default http://127.0.0.1:15672, guest/guest; JUMIN_RABBITMQ_MANAGEMENT_URL/_USER/
_PASSWORD override), declares the topology as `jumin_admin`, and deletes the vhost afterwards.

`recipient` then runs a consumer built with the consumer kit, as every adapter is (FastStream with
its telemetry middleware), on that vhost as the recipient's own broker user, with a no-op handler
that only notes what it was given.  The kit's tables live in a schema of the test database made for
them (as tests/consumer/conftest.py does: the schema owner may not CREATE SCHEMA, so the local
`postgres` superuser makes it once) and are installed afresh for each test.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from uuid import UUID

import asyncpg
import httpx
import pytest
from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import MESSAGE_MODELS, RecipientMessage
from jumin_platform.consumer import ConsumerKit, install
from jumin_platform.topology import Topology, declare, topology_from_env

MANAGEMENT_URL = os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
MANAGEMENT_AUTH = (
    os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_USER", "guest"),
    os.environ.get("JUMIN_RABBITMQ_MANAGEMENT_PASSWORD", "guest"),
)
KIT_SCHEMA = "registry_test_consumer"
KIT_TABLES = ("inbox", "person_progress", "parked", "operator_actions")


def _q(name: str) -> str:
    return quote(name, safe="")


@dataclass(frozen=True)
class BrokerSandbox:
    """A throwaway vhost carrying the topology, reached at the registry's broker host and port."""

    topology: Topology
    registry_url: str  # the registry's own URL (its user and password), vhost swapped

    def url(self, user: str) -> str:
        """Return the sandbox URL of one broker user of the topology."""
        parts = urlsplit(self.registry_url)
        password = self.topology.user(user).password()
        netloc = f"{_q(user)}:{_q(password)}@{parts.hostname}:{parts.port or 5672}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


async def _grant(client: httpx.AsyncClient, topology: Topology) -> None:
    vhost = _q(topology.vhost)
    for user in topology.users():
        if (await client.get(f"/users/{_q(user.name)}")).status_code != 200:
            pytest.fail(f"broker user {user.name} missing: run deploy/local/provision.sh first")
        p = user.permissions
        permissions = {"configure": p.configure, "write": p.write, "read": p.read}
        response = await client.put(f"/permissions/{vhost}/{_q(user.name)}", json=permissions)
        response.raise_for_status()
        for t in user.topic_permissions:
            topic = {"exchange": t.exchange, "write": t.write, "read": t.read}
            response = await client.put(f"/topic-permissions/{vhost}/{_q(user.name)}", json=topic)
            response.raise_for_status()


@contextlib.asynccontextmanager
async def broker_sandbox(registry_amqp_url: str) -> AsyncIterator[BrokerSandbox]:
    """Make a vhost with the provisioned topology and the real users' permissions; delete it after."""
    topology = replace(topology_from_env(), vhost=f"jumin_registry_test_{secrets.token_hex(4)}")
    parts = urlsplit(registry_amqp_url)
    registry_url = urlunsplit(parts._replace(path=f"/{_q(topology.vhost)}"))
    sandbox = BrokerSandbox(topology, registry_url)
    async with httpx.AsyncClient(
        base_url=f"{MANAGEMENT_URL}/api", auth=MANAGEMENT_AUTH, timeout=30
    ) as client:
        try:
            (await client.put(f"/vhosts/{_q(topology.vhost)}")).raise_for_status()
        except httpx.HTTPError as exc:
            pytest.fail(f"RabbitMQ management API at {MANAGEMENT_URL} unusable ({exc})")
        try:
            await _grant(client, topology)
            await declare(topology, sandbox.url(topology.admin_user))
            yield sandbox
        finally:
            await client.delete(f"/vhosts/{_q(topology.vhost)}")


# ---- the consumer --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Consumed:
    """One message the consumer's handler was given."""

    event_id: UUID
    change_id: UUID
    routing_key: str


@dataclass
class NoOpHandler:
    """Do nothing with a message but note that it was handled (the kit's transaction commits)."""

    consumed: list[Consumed] = field(default_factory=list)

    async def __call__(self, envelope: Envelope, payload: RecipientMessage, _: Any) -> None:
        self.consumed.append(Consumed(envelope.event_id, envelope.change_id, payload.ROUTING_KEY))

    def of(self, change_id: str | UUID) -> list[Consumed]:
        """Return what was handled of one change, in order."""
        return [c for c in self.consumed if c.change_id == UUID(str(change_id))]


def _create_schema_as_superuser(owner_dsn: str) -> None:
    parts = urlsplit(owner_dsn)
    database, owner = parts.path.lstrip("/"), parts.username or "jumin_registry_owner"
    switch = (
        ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    )
    sql = f'CREATE SCHEMA IF NOT EXISTS {KIT_SCHEMA} AUTHORIZATION "{owner}"'
    port = str(parts.port or 5432)
    done = subprocess.run(
        [
            *switch,
            "psql",
            "-X",
            "-q",
            "-p",
            port,
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ],
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"cannot create schema {KIT_SCHEMA} in {database}: {done.stderr.strip()}")


async def install_kit_tables(owner_dsn: str) -> str:
    """Give the consumer kit empty tables in the test database's consumer schema."""
    connection = await asyncpg.connect(owner_dsn)
    try:
        exists = await connection.fetchval(
            "SELECT 1 FROM pg_namespace WHERE nspname = $1", KIT_SCHEMA
        )
        if not exists:
            _create_schema_as_superuser(owner_dsn)
        tables = ", ".join(f"{KIT_SCHEMA}.{name}" for name in KIT_TABLES)
        await connection.execute(f"DROP TABLE IF EXISTS {tables}")
        await install(connection, KIT_SCHEMA)
    finally:
        await connection.close()
    return KIT_SCHEMA


@contextlib.asynccontextmanager
async def recipient(
    name: str, *, sandbox: BrokerSandbox, owner_dsn: str
) -> AsyncIterator[NoOpHandler]:
    """Consume recipient *name*'s queue(s) in the sandbox with the kit and a no-op handler."""
    handler = NoOpHandler()
    kit = ConsumerKit(
        recipient=name,
        schema=await install_kit_tables(owner_dsn),
        amqp_url=sandbox.url(sandbox.topology.recipient(name).user),
        database_url=owner_dsn,
        handler=handler,
        models=MESSAGE_MODELS,
        topology=sandbox.topology,
    )
    await kit.start()
    try:
        yield handler
    finally:
        await kit.stop()
