"""HTTP client of the ministry's 連携サーバ (simulators/moj_simulator/INTERFACE.md).

Calls go through the platform's `TracedHttp`: each is a CLIENT span with the method, the path
template, the status and ids only, carrying ``traceparent`` so the ministry continues the trace.
Values are never logged or put on spans.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
from jumin_platform.deliveries import Outgoing
from jumin_platform.deliveries.http import TracedHttp

from moj_notify.domain.notices import MojReply
from moj_notify.domain.schedule import WARD_TIME

__all__ = ["MojClient"]

NOTICES_PATH = "/moj/v1/notices"


class MojClient:
    """Talk to the 連携サーバ over HTTP/JSON; `transport` lets tests put an app behind it."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float,
        municipality_code: str,
        clock: Callable[[], datetime],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._municipality_code = municipality_code
        self._clock = clock
        self._http = TracedHttp(base_url=base_url, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, message: Outgoing, *, event_id: UUID, key: UUID) -> MojReply:
        """POST one 市町村通知 or 市町村伝達 under its key; no answer is a reply with status None."""
        request = {
            "event_id": str(event_id),
            "municipality_code": self._municipality_code,
            "sent_at": self._clock().astimezone(WARD_TIME).isoformat(),
            "type": message.type,
            "body": dict(message.body),
        }
        return await self._http.post_idempotent(
            NOTICES_PATH, request, event_id=event_id, key=key, reply=MojReply
        )

    async def get(self, path: str, params: Mapping[str, Any]) -> httpx.Response:
        """Make one traced read (the results and 長官通知 feed); transport errors propagate."""
        return await self._http.call("GET", path, params=params)
