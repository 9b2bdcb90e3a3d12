"""Real broker and database for the consumer kit: a throwaway vhost and a test database.

- Broker: each test gets its own vhost `jumin_consumer_test_<hex>` carrying the provisioned
  topology, with the real broker users' permissions (`jumin_testing.broker`), deleted afterwards
  even when the test failed. Nothing else publishes there, so the kit under test sees only the
  test's own messages — not the registry's relay tests, `make up` or other sessions on the shared
  `jumin` vhost. Test envelopes are published to `jumin.events` as the registry's user
  `jumin_registry` (standing in for its relay) with routing key `koseki.fuhyo_notice`; the kit
  consumes as the least-privileged `jumin_koseki_adapter`. A test module needing another topology
  (test_retry_exhaustion.py) overrides the `topology` fixture.
- Database: `jumin_test_consumer` (run `deploy/local/provision.sh jumin_test_consumer` once), as
  the owner role. A service's owner role may not CREATE SCHEMA (provisioning makes schemas), so the
  test schema is created once through the local `postgres` superuser when it is missing; the kit's
  tables are then dropped and installed afresh with `consumer_ddl`.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

import aio_pika
import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from jumin_contracts.codes import ChangeKind, Sex
from jumin_contracts.envelope import Envelope, new_event_id
from jumin_contracts.messages import MESSAGE_MODELS, KosekiFuhyoNotice, RecipientMessage
from jumin_platform.auth import Staff
from jumin_platform.consumer import ConsumerKit
from jumin_platform.consumer.operator_api import operator_router
from jumin_platform.problems import install_problem_handlers
from jumin_platform.topology import EVENTS_EXCHANGE, PERSON_KEY_HEADER, Topology, topology_from_env
from jumin_testing.broker import Sandbox as Sandbox  # re-exported for the test modules
from jumin_testing.broker import sandbox_vhost
from jumin_testing.kit_schema import connect, fresh_kit_schema

DATABASE_URL = os.environ.get(
    "JUMIN_TEST_CONSUMER_DATABASE_URL",
    "postgresql://jumin_registry_owner:jumin_registry_owner@127.0.0.1:5432/jumin_test_consumer",
)
SCHEMA = "consumer_kit_test"
RECIPIENT = "koseki"
ROUTING_KEY = KosekiFuhyoNotice.ROUTING_KEY
WAIT_SECONDS = 30.0  # generous: the 2-core CI machine may be busy; retries wait 1 s each
T = TypeVar("T")


# ---- database ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
async def kit_schema() -> str:
    """The kit's tables, empty, in the test schema."""
    connection = await connect(DATABASE_URL)
    try:
        await fresh_kit_schema(connection, DATABASE_URL, SCHEMA, also_drop=("deliveries",))
        # The adapter's own record of what it sent, written in the kit's transaction.
        await connection.execute(
            f"CREATE TABLE {SCHEMA}.deliveries (event_id uuid NOT NULL, person_key text NOT NULL,"
            " seq bigint NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())"
        )
    finally:
        await connection.close()
    return SCHEMA


@pytest.fixture
async def db(kit_schema: str) -> AsyncIterator[asyncpg.Connection[Any]]:
    connection = await asyncpg.connect(DATABASE_URL)
    yield connection
    await connection.close()


# ---- broker --------------------------------------------------------------------------------------
@pytest.fixture
def topology() -> Topology:
    """The topology the kit runs on: the provisioned one with every recipient routed, since the
    kit's tests consume as koseki (a test module may override this)."""
    return topology_from_env().with_all_routed()


@pytest.fixture
async def sandbox(topology: Topology) -> AsyncIterator[Sandbox]:
    """The topology in a fresh vhost of its own, deleted afterwards."""
    async with sandbox_vhost(topology, prefix="jumin_consumer_test") as sandbox:
        yield sandbox


@dataclass
class Registry:
    """Stands in for the registry's outbox relay: publishes envelopes to `jumin.events`."""

    channel: aio_pika.abc.AbstractChannel

    async def publish(self, envelope: Envelope, *, body: bytes | None = None) -> None:
        exchange = await self.channel.get_exchange(EVENTS_EXCHANGE, ensure=False)
        message = aio_pika.Message(
            body or envelope.model_dump_json(by_alias=True).encode(),
            message_id=str(envelope.event_id),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={PERSON_KEY_HEADER: envelope.person_key},
        )
        await exchange.publish(message, ROUTING_KEY, mandatory=True)


@pytest.fixture
async def registry(sandbox: Sandbox) -> Registry:
    """The registry's broker user on the sandbox (its connection closes with the sandbox)."""
    connection = await sandbox.connect(sandbox.topology.registry_user)
    return Registry(await connection.channel(publisher_confirms=True, on_return_raises=True))


# ---- the adapter under test ----------------------------------------------------------------------
@dataclass
class FakeAdapter:
    """A handler that records each delivery in the kit's transaction, failing as scripted."""

    calls: list[tuple[str, int]] = field(default_factory=list)
    failures: dict[UUID, list[Exception]] = field(default_factory=dict)

    def fail(self, envelope: Envelope, *errors: Exception) -> None:
        self.failures[envelope.event_id] = list(errors)

    async def __call__(
        self, envelope: Envelope, payload: RecipientMessage, connection: Any
    ) -> None:
        assert isinstance(payload, KosekiFuhyoNotice)
        self.calls.append((envelope.person_key, envelope.seq))
        await connection.execute(
            f"INSERT INTO {SCHEMA}.deliveries (event_id, person_key, seq) VALUES ($1, $2, $3)",
            envelope.event_id,
            envelope.person_key,
            envelope.seq,
        )
        pending = self.failures.get(envelope.event_id)
        if pending:
            raise pending.pop(0)


@pytest.fixture
def adapter() -> FakeAdapter:
    return FakeAdapter()


@pytest.fixture
def kit_options() -> dict[str, Any]:
    """Further `ConsumerKit` arguments (a test module overrides this, e.g. a short sweep)."""
    return {}


@pytest.fixture
async def kit(
    kit_schema: str,
    sandbox: Sandbox,
    registry: Registry,
    adapter: FakeAdapter,
    kit_options: dict[str, Any],
) -> AsyncIterator[ConsumerKit]:
    """The kit consuming `koseki.events` of the sandbox as jumin_koseki_adapter."""
    kit = ConsumerKit(
        recipient=RECIPIENT,
        schema=kit_schema,
        amqp_url=sandbox.url(sandbox.topology.recipient(RECIPIENT).user),
        database_url=DATABASE_URL,
        handler=adapter,
        models=MESSAGE_MODELS,
        topology=sandbox.topology,
        **kit_options,
    )
    await kit.start()
    yield kit
    await kit.stop()


async def _operator() -> Staff:
    return Staff(user_id="ops-yamada", roles=frozenset({"admin"}))


@pytest.fixture
async def operator_api(kit: ConsumerKit) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(operator_router(kit, staff=_operator))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://adapter") as client:
        yield client


# ---- helpers -------------------------------------------------------------------------------------
def person() -> str:
    """A fresh opaque person key (never reused across runs: the kit's tables outlive a test)."""
    return f"test_{uuid4().hex}"


def envelope(person_key: str, seq: int, **extra_payload: object) -> Envelope:
    notice = KosekiFuhyoNotice(
        change_kind=ChangeKind.DOMESTIC_MOVE_IN,
        occurred_on="2024-04-01",
        honseki="東京都新宿区西新宿二丁目8番地",
        hittosha="都庁太郎",
        family_name="都庁",
        given_name="花子",
        address="東京都新宿区西新宿二丁目8番1号",
        moved_abroad=False,
        abroad_country=None,
        address_since="2024-04-01",
        birth_date="1990-05-06",
        sex=Sex.FEMALE,
        juminhyo_code=None,
    )
    wrapped = Envelope.wrap(
        notice,
        change_id=uuid4(),
        person_key=person_key,
        seq=seq,
        kind=ChangeKind.DOMESTIC_MOVE_IN,
        occurred_on="2024-04-01",
        notified_on=None,
        recorded_at=datetime.now(UTC),
        event_id=new_event_id(),
    )
    if extra_payload:
        return wrapped.model_copy(update={"payload": {**wrapped.payload, **extra_payload}})
    return wrapped


def body_of(response: httpx.Response) -> Any:
    return json.loads(response.content)
