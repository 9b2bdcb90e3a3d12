"""What an adapter's integration tests share: the registry's side of the broker, and the adapter's
app running in-process with an operator's HTTP client (cs_adapter, koseki_adapter).

- `RegistrySide` publishes envelopes to `jumin.events` as the relay would and taps what the
  adapter publishes to `jumin.commands`.
- `Running` is the adapter's API over ASGI with tokens for any role, each naming a terminal.
- `running_app` enters an app's lifespan (the adapter starts with it) and closes it after;
  `app_starter` starts as many as a test asks for and stops them all after.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import aio_pika
import httpx
from fastapi import FastAPI
from jumin_contracts.envelope import Envelope
from jumin_platform.devkeys import issue_token
from jumin_platform.terminal import TERMINAL_HEADER
from jumin_platform.topology import COMMANDS_EXCHANGE, EVENTS_EXCHANGE, PERSON_KEY_HEADER

from jumin_testing.broker import Sandbox

__all__ = [
    "TEST_TERMINAL",
    "RegistrySide",
    "Running",
    "StartApp",
    "app_starter",
    "registry_side",
    "running_app",
    "switch_manual_mode",
]

TEST_TERMINAL = "test-terminal"
"""The terminal (端末名) every call of `Running.token` names."""


class TokenSettings(Protocol):
    @property
    def jwt_issuer(self) -> str: ...

    @property
    def jwt_audience(self) -> str: ...


@dataclass
class Running:
    """The adapter app running in-process, with an HTTP client for its API."""

    api: httpx.AsyncClient
    settings: Any
    keys: Path

    def token(self, *roles: str, sub: str = "ops-tanaka") -> dict[str, str]:
        token = issue_token(
            private_key_pem=(self.keys / "private.pem").read_text(),
            sub=sub,
            roles=list(roles),
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
        )
        return {"Authorization": f"Bearer {token}", TERMINAL_HEADER: TEST_TERMINAL}

    @property
    def admin(self) -> dict[str, str]:
        return self.token("admin")


@asynccontextmanager
async def running_app(app: FastAPI, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan and give a client over ASGI; stop both after."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


async def switch_manual_mode(
    api: httpx.AsyncClient, headers: dict[str, str], *, manual: bool, reason: str
) -> None:
    """Switch 手動連携 on or off through the operator API (it must be done)."""
    mode = {"manual": manual, "reason": reason}
    switched = await api.put("/operator/manual-mode", json=mode, headers=headers)
    assert switched.status_code == 200, switched.text


StartApp = Callable[..., Awaitable[Running]]
"""Start the adapter with its settings changed by the keyword arguments."""


@asynccontextmanager
async def app_starter(
    build: Callable[..., FastAPI], base_url: str, settings: Any, keys: Path
) -> AsyncIterator[StartApp]:
    """Start the app `build(**changes)` makes, as often as the test asks; stop them all after."""
    async with AsyncExitStack() as stack:

        async def start(**changes: Any) -> Running:
            client = await stack.enter_async_context(running_app(build(**changes), base_url))
            return Running(client, settings, keys)

        yield start


@dataclass
class RegistrySide:
    """Publishes envelopes as the relay would, and reads the commands that come back."""

    channel: aio_pika.abc.AbstractChannel
    commands_tap: aio_pika.abc.AbstractQueue

    async def publish(self, envelope: Envelope) -> None:
        exchange = await self.channel.get_exchange(EVENTS_EXCHANGE, ensure=False)
        routing_key = envelope.schema_id.split("@", 1)[0]
        message = aio_pika.Message(
            envelope.model_dump_json(by_alias=True).encode(),
            message_id=str(envelope.event_id),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={PERSON_KEY_HEADER: envelope.person_key},
        )
        await exchange.publish(message, routing_key, mandatory=True)

    async def commands(self) -> list[aio_pika.abc.AbstractIncomingMessage]:
        """Take every command published to jumin.commands since the tap was made."""
        taken = []
        while (message := await self.commands_tap.get(no_ack=True, fail=False)) is not None:
            taken.append(message)
        return taken


@asynccontextmanager
async def registry_side(sandbox: Sandbox) -> AsyncIterator[RegistrySide]:
    """The registry's side of a sandbox vhost, as its admin user."""
    connection = await aio_pika.connect(sandbox.url(sandbox.topology.admin_user))
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        # registry.in is single-active-consumer (no basic.get): tap jumin.commands privately.
        tap = await channel.declare_queue(exclusive=True)
        await tap.bind(COMMANDS_EXCHANGE, routing_key="registry.#")
        yield RegistrySide(channel, tap)
