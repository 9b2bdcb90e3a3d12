"""HTTP client of the ward's 戸籍附票システム (simulators/koseki_simulator/INTERFACE.md).

Calls go through the platform's `TracedHttp`: each is a CLIENT span with the method, the path
template, the status and ids only, carrying ``traceparent`` so the system continues the trace.
Values are never logged or put on spans.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
from jumin_platform.deliveries import Outgoing
from jumin_platform.deliveries.http import TracedHttp

from koseki_adapter.domain.fuhyo_notices import FuhyoReply

__all__ = ["FuhyoClient"]

JST = ZoneInfo("Asia/Tokyo")
NOTICES_PATH = "/koseki/v1/notices"


class FuhyoClient:
    """Talk to the 戸籍附票システム over HTTP/JSON; `transport` lets tests put an app behind it."""

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

    async def send(self, message: Outgoing, *, event_id: UUID, key: UUID) -> FuhyoReply:
        """POST one 附票記載事項通知 under its key; a missing answer is a reply with status None."""
        request = {
            "event_id": str(event_id),
            "municipality_code": self._municipality_code,
            "sent_at": datetime.now(UTC).astimezone(JST).isoformat(),
            "body": dict(message.body),
        }
        return await self._http.post_idempotent(
            NOTICES_PATH, request, event_id=event_id, key=key, reply=FuhyoReply
        )

    async def get(self, path: str, params: Mapping[str, Any]) -> httpx.Response:
        """Make one traced read (the feed, the 附票; `fuhyo_reads`); transport errors propagate."""
        return await self._http.call("GET", path, params=params)
