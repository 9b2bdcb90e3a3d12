"""What the CS client makes of CS's answers (an in-memory transport; no network)."""

from __future__ import annotations

import httpx
from cs_adapter.adapters.cs_client import CsClient
from cs_adapter.domain.cs_messages import to_outgoing
from cs_adapter.domain.deliveries import CsReply
from jumin_contracts.envelope import new_event_id
from jumin_platform.deliveries import ReplyClass

from ..builders import identity


def client(handler: httpx.MockTransport) -> CsClient:
    return CsClient(
        base_url="http://cs", timeout=1.0, municipality_code="131041", transport=handler
    )


async def send_with(respond: httpx.Response | Exception) -> CsReply:
    async def handle(request: httpx.Request) -> httpx.Response:
        if isinstance(respond, Exception):
            raise respond
        return respond

    cs = client(httpx.MockTransport(handle))
    try:
        return await cs.send(to_outgoing(identity()), event_id=new_event_id(), key=new_event_id())
    finally:
        await cs.aclose()


async def test_an_accepted_message_brings_its_receipt_number() -> None:
    reply = await send_with(httpx.Response(201, json={"receipt_no": "CS-1", "replayed": False}))
    assert reply.kind is ReplyClass.ACCEPTED
    assert reply.receipt_no == "CS-1"


async def test_a_refusal_brings_the_cs_code_and_field_names() -> None:
    problem = {
        "code": "E-FORMAT",
        "errors": [{"loc": ["body", "body", "birth_date"], "msg": "bad", "type": "value_error"}],
    }
    reply = await send_with(httpx.Response(400, json=problem))
    assert reply.kind is ReplyClass.PERMANENT
    assert reply.describe() == "CS 400 E-FORMAT: birth_date"


async def test_busy_timeouts_and_refused_connections_are_transient() -> None:
    busy = await send_with(httpx.Response(503, json={"code": "E-BUSY"}))
    timeout = await send_with(httpx.ReadTimeout("slow"))
    refused = await send_with(httpx.ConnectError("refused"))
    for reply in (busy, timeout, refused):
        assert reply.kind is ReplyClass.TRANSIENT
    assert timeout.code == "ReadTimeout"


async def test_the_message_carries_its_key_type_event_and_ward_code() -> None:
    seen: list[httpx.Request] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"receipt_no": "CS-1", "replayed": False})

    cs = client(httpx.MockTransport(handle))
    event, key = new_event_id(), new_event_id()
    await cs.send(to_outgoing(identity()), event_id=event, key=key)
    await cs.aclose()

    request = seen[0]
    assert request.headers["Idempotency-Key"] == str(key)
    body = httpx.Response(200, content=request.content).json()
    assert body["municipality_code"] == "131041"
    assert body["event_id"] == str(event)
    assert body["type"] == "identity"
