"""HTTP client of the 市町村CS (simulators/cs_simulator/INTERFACE.md), traced, never logging values.

Calls go through the platform's `TracedHttp`: each is a CLIENT span with the method, the path
template, the status and the ids (event id, idempotency key) only, carrying ``traceparent`` so CS
continues the trace (the consistency check's query string, ``after=<住民票コード>``, is personal
data and never recorded).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
from jumin_platform.deliveries import Outgoing
from jumin_platform.deliveries.http import TracedHttp
from jumin_platform.inbound.notifications import Notification, notification_from
from jumin_platform.inbound.reads import listed_items, required_object

from cs_adapter.domain.deliveries import CsReply

__all__ = [
    "CsClient",
    "CsIdentityRecord",
    "CsUnavailable",
    "FreeCodeBatch",
]

JST = ZoneInfo("Asia/Tokyo")
MESSAGES_PATH = "/cs/v1/messages"


class CsUnavailable(Exception):
    """CS did not answer a read or a free-code request usefully (no personal data in the text)."""


@dataclass(frozen=True)
class FreeCodeBatch:
    batch_id: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class CsIdentityRecord:
    """本人確認情報 as CS holds it now (for the 整合性確認)."""

    juminhyo_code: str
    body: Mapping[str, Any]
    receipt_no: str | None


class CsClient:
    """Talk to CS over HTTP/JSON; `transport` lets tests put an in-process fake behind it."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float,
        municipality_code: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._municipality_code = municipality_code
        self._http = TracedHttp(base_url=base_url, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, message: Outgoing, *, event_id: UUID, key: UUID) -> CsReply:
        """POST one 電文 with its idempotency key; a missing answer is a reply with status None."""
        request = {
            "type": str(message.type),
            "event_id": str(event_id),
            "municipality_code": self._municipality_code,
            "sent_at": datetime.now(UTC).astimezone(JST).isoformat(),
            "body": dict(message.body),
        }
        return await self._http.post_idempotent(
            MESSAGES_PATH, request, event_id=event_id, key=key, reply=CsReply
        )

    async def notifications(self, *, after: int, limit: int = 100) -> list[Notification]:
        """Fetch answers after a cursor, in cursor order."""
        data = await self._read("/cs/v1/notifications", {"after": after, "limit": limit})
        return [notification_from(item) for item in _items(data)]

    async def free_codes(self, *, key: UUID, count: int) -> FreeCodeBatch:
        """Ask for a batch of free 住民票コード; the same key returns the same batch."""
        try:
            response = await self._http.call(
                "POST",
                "/cs/v1/free-codes",
                json={"count": count},
                headers={"Idempotency-Key": str(key)},
                attributes={"jumin.idempotency_key": str(key)},
            )
        except httpx.TransportError as exc:
            raise CsUnavailable(f"free codes: {type(exc).__name__}") from exc
        data = required_object(response, what="free codes", system="CS", error=CsUnavailable)
        return FreeCodeBatch(str(data["batch_id"]), tuple(str(c) for c in data["codes"]))

    async def identities(
        self, *, after: str | None, limit: int = 1000
    ) -> tuple[list[CsIdentityRecord], str | None]:
        """Fetch one page of the 本人確認情報 CS holds, and the code to continue after."""
        params: dict[str, Any] = {"limit": limit}
        if after is not None:
            params["after"] = after
        data = await self._read("/cs/v1/identities", params)
        records = [
            CsIdentityRecord(str(i["juminhyo_code"]), dict(i["body"]), i.get("receipt_no"))
            for i in _items(data)
        ]
        following = data.get("next")
        return records, str(following) if following else None

    async def _read(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        try:
            response = await self._http.call("GET", path, params=params)
        except httpx.TransportError as exc:
            raise CsUnavailable(f"GET {path}: {type(exc).__name__}") from exc
        return required_object(response, what=f"GET {path}", system="CS", error=CsUnavailable)


def _items(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return listed_items(data, system="CS", error=CsUnavailable)
