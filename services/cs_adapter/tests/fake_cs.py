"""An in-process stand-in for the 市町村CS, behind `httpx.MockTransport` (INTERFACE.md subset).

Keeps what the adapter relies on: one stored transmission per idempotency key (a repeat with the
same message replays, another message is E-KEY-REUSED), E-FORMAT for a missing 住民票コード, the
latest accepted `identity` per code, `my_number_generated` answers to 生成要求, queued 転入通知,
free-code batches by key, and faults: busy (503 to messages), reject codes (422), down (connection refused).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx
from jumin_contracts.check_digits import juminhyo_code_check_digit, my_number_check_digit


def juminhyo_code(n: int) -> str:
    body = f"{n:010d}"
    return body + juminhyo_code_check_digit(body)


def my_number(n: int) -> str:
    body = f"{n:011d}"
    return body + my_number_check_digit(body)


@dataclass
class Received:
    key: str
    type: str
    event_id: str
    body: dict[str, Any]
    receipt_no: str
    traceparent: str | None


@dataclass
class FakeCs:
    """The fake's state; `transport()` gives the adapter's client its way in."""

    received: dict[str, Received] = field(default_factory=dict)
    attempts: list[tuple[str, str]] = field(default_factory=list)  # (event_id, key) per POST
    identities: dict[str, Received] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    busy_messages: int = 0  # answer this many POST /cs/v1/messages 503 E-BUSY
    down: bool = False
    reject_codes: set[str] = field(default_factory=set)
    _receipts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _codes: itertools.count[int] = field(default_factory=lambda: itertools.count(700_000_000))
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000_000_000))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def of_type(self, type_: str) -> list[Received]:
        return [r for r in self.received.values() if r.type == type_]

    def queue_move_in(self, code: str, moved_in_on: str, address: str) -> None:
        self._notify(
            "move_in_notice",
            {
                "juminhyo_code": code,
                "moved_in_on": moved_in_on,
                "new_address": address,
                "new_municipality_code": "011002",
            },
            None,
        )

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        path, method = request.url.path, request.method
        if (method, path) == ("POST", "/cs/v1/messages"):
            if self.busy_messages > 0:
                self.busy_messages -= 1
                return _problem(503, "E-BUSY")
            return self._message(request)
        if (method, path) == ("GET", "/cs/v1/notifications"):
            after = int(request.url.params.get("after", "0"))
            limit = int(request.url.params.get("limit", "100"))
            items = self.notifications[after : after + limit]
            return httpx.Response(200, json={"items": items, "next": after + len(items)})
        if (method, path) == ("POST", "/cs/v1/free-codes"):
            return self._free_codes(request)
        if (method, path) == ("GET", "/cs/v1/identities"):
            return self._identities(request)
        return httpx.Response(404)

    def _message(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("Idempotency-Key", "")
        data = json.loads(request.content)
        body = data["body"]
        self.attempts.append((data["event_id"], key))
        code = body.get("juminhyo_code")
        if not code:
            errors = [
                {"loc": ["body", "body", "juminhyo_code"], "msg": "required", "type": "missing"}
            ]
            return _problem(400, "E-FORMAT", errors=errors)
        if code in self.reject_codes:
            return _problem(422, "E-REJECTED")
        stored = self.received.get(key)
        if stored is not None:
            if (stored.type, stored.event_id, stored.body) != (
                data["type"],
                data["event_id"],
                body,
            ):
                return _problem(409, "E-KEY-REUSED")
            return httpx.Response(200, json={"receipt_no": stored.receipt_no, "replayed": True})
        receipt = f"CS-{next(self._receipts):06d}"
        traceparent = request.headers.get("traceparent")
        received = Received(key, data["type"], data["event_id"], body, receipt, traceparent)
        self.received[key] = received
        if data["type"] == "identity":
            self.identities[code] = received
        if data["type"] == "my_number_request":
            number = my_number(next(self._numbers))
            answer = {"juminhyo_code": code, "my_number": number, "request_receipt_no": receipt}
            self._notify("my_number_generated", answer, traceparent)
        return httpx.Response(201, json={"receipt_no": receipt, "replayed": False})

    def _notify(self, type_: str, body: dict[str, Any], traceparent: str | None) -> None:
        self.notifications.append(
            {
                "cursor": len(self.notifications) + 1,
                "notification_id": str(uuid4()),
                "type": type_,
                "created_at": "2026-11-27T10:00:00+09:00",
                "traceparent": traceparent,
                "body": body,
            }
        )

    def _free_codes(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("Idempotency-Key", "")
        if key not in self.batches:
            count = json.loads(request.content)["count"]
            codes = [juminhyo_code(next(self._codes)) for _ in range(count)]
            self.batches[key] = {"batch_id": str(uuid4()), "codes": codes}
        return httpx.Response(201, json=self.batches[key])

    def _identities(self, request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("after")
        limit = int(request.url.params.get("limit", "1000"))
        codes = sorted(c for c in self.identities if after is None or c > after)
        page = codes[:limit]
        items = [
            {
                "juminhyo_code": c,
                "body": self.identities[c].body,
                "receipt_no": self.identities[c].receipt_no,
                "received_at": "2026-11-27T10:00:00+09:00",
            }
            for c in page
        ]
        following = page[-1] if len(codes) > limit else None
        return httpx.Response(200, json={"items": items, "next": following})


def _problem(status: int, code: str, **extra: Any) -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "type": "about:blank",
            "title": "CS error",
            "status": status,
            "detail": code,
            "code": code,
            **extra,
        },
        headers={"content-type": "application/problem+json"},
    )
