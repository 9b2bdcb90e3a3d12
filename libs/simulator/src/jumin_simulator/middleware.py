"""ASGI middleware on a simulated system's API: count message attempts, then inject faults."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jumin_simulator.errors import CodedError
from jumin_simulator.faults import Fault, FaultSource, draw_fault
from jumin_simulator.problems import coded_problem


class AttemptCounterMiddleware:
    """Count every POST of a message per event id before faults or validation can answer it."""

    def __init__(self, app: ASGIApp, *, path: str, count: Callable[[UUID], None]) -> None:
        self.app = app
        self.path = path
        self.count = count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) != ("POST", self.path):
            await self.app(scope, receive, send)
            return
        messages, body = await _read_request(receive)
        event_id = _event_id(body)
        if event_id is not None:
            self.count(event_id)
        await self.app(scope, _replaying(messages, receive), send)


class FaultMiddleware:
    """Delay, refuse, hang, lose the reply or pretend to be down on the paths under `prefix`, as
    the fault settings say; a lost reply only on a POST to `message_path`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        simulator: FaultSource,
        prefix: str,
        message_path: str,
        busy: CodedError,
        down: CodedError,
    ) -> None:
        self.app = app
        self.simulator = simulator
        self.prefix = prefix
        self.message_path = message_path
        self.busy = busy
        self.down = down

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        sim = self.simulator
        faults = sim.faults
        is_message = (scope["method"], scope["path"]) == ("POST", self.message_path)
        fault = draw_fault(faults, sim.fault_rng, message=is_message)
        if fault is Fault.DOWN:
            await coded_problem(self.down, instance=scope["path"])(scope, receive, send)
            return
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if fault is Fault.HANG:
            await _hang_up(receive, send, seconds=sim.timeout_hang)
        elif fault is Fault.BUSY:
            await coded_problem(self.busy, instance=scope["path"])(scope, receive, send)
        elif fault is Fault.LOST_REPLY:
            await self.app(scope, receive, _swallow)  # processed and stored as usual …
            await coded_problem(self.busy, instance=scope["path"])(scope, receive, send)  # … lost
        else:
            await self.app(scope, receive, send)


async def _swallow(message: Message) -> None:
    """Drop a response (the lost reply): the client never sees what the system answered."""


async def _hang_up(receive: Receive, send: Send, *, seconds: float) -> None:
    """Hang until the client gives up or *seconds* pass, then drop the connection unanswered.

    A response head with no body, then returning, makes the server close the connection
    mid-response: the client sees a broken connection, not an answer.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while (await receive())["type"] != "http.disconnect":
                pass
            return
    await send({"type": "http.response.start", "status": 503, "headers": []})


async def _read_request(receive: Receive) -> tuple[list[Message], bytes]:
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return messages, b"".join(chunks)


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def _event_id(body: bytes) -> UUID | None:
    """Find the event id in a message body, leniently (a malformed message still counts)."""
    try:
        payload: Any = json.loads(body)
        return UUID(str(payload["event_id"]))
    except (ValueError, TypeError, KeyError):
        return None
