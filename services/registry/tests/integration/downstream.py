"""A real recipient downstream of the relay, isolated from other test sessions.

The `jumin` vhost's recipient queues are shared with other test sessions (and a running `make up`):
consuming or purging them there steals or drops others' messages.  So `broker_sandbox` makes a
throwaway vhost `jumin_registry_test_<hex>` with the provisioned topology and the real broker users'
permissions (`jumin_testing.broker`), at the registry's broker host and port, deleted afterwards.

`recipient` then runs a consumer built with the consumer kit, as every adapter is (FastStream with
its telemetry middleware), on that vhost as the recipient's own broker user, with a no-op handler
that only notes what it was given.  The kit's tables live in a schema of the test database made for
them (`jumin_testing.kit_schema`) and are installed afresh for each test.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import MESSAGE_MODELS, RecipientMessage
from jumin_platform.consumer import ConsumerKit
from jumin_platform.topology import topology_from_env
from jumin_testing.broker import Sandbox, q, sandbox_vhost
from jumin_testing.kit_schema import connect, fresh_kit_schema

KIT_SCHEMA = "registry_test_consumer"


@contextlib.asynccontextmanager
async def broker_sandbox(
    registry_amqp_url: str, *, all_routed: bool = False
) -> AsyncIterator[Sandbox]:
    """Make a vhost with the provisioned topology and the real users' permissions; delete it after.

    `all_routed`: every recipient routed, as once all their services exist (the provisioned
    topology routes only recipients whose service is built).
    """
    parts = urlsplit(registry_amqp_url)
    amqp = f"{parts.hostname}:{parts.port or 5672}"
    topology = topology_from_env()
    if all_routed:
        topology = topology.with_all_routed()
    async with sandbox_vhost(topology, prefix="jumin_registry_test", amqp=amqp) as made:
        yield made


def registry_url(sandbox: Sandbox, registry_amqp_url: str) -> str:
    """The registry's own URL (its user and password) with the sandbox's vhost."""
    parts = urlsplit(registry_amqp_url)
    return urlunsplit(parts._replace(path=f"/{q(sandbox.vhost)}"))


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


async def install_kit_tables(owner_dsn: str) -> str:
    """Give the consumer kit empty tables in the test database's consumer schema."""
    connection = await connect(owner_dsn)
    try:
        await fresh_kit_schema(connection, owner_dsn, KIT_SCHEMA)
    finally:
        await connection.close()
    return KIT_SCHEMA


@contextlib.asynccontextmanager
async def recipient(name: str, *, sandbox: Sandbox, owner_dsn: str) -> AsyncIterator[NoOpHandler]:
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
