"""HTTP client of the ward's 戸籍附票システム (simulators/koseki_simulator/INTERFACE.md).

Traced like the CS client: each call is a CLIENT span with the method, the path template, the
status and ids only, and carries the W3C ``traceparent`` header; values are never logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
from jumin_platform.telemetry import inject_headers
from opentelemetry import trace

__all__ = ["FuhyoClient"]

tracer = trace.get_tracer("koseki_adapter.fuhyo_client")
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
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    def notice_request(self, body: Mapping[str, Any], *, event_id: UUID) -> dict[str, Any]:
        """Return the 附票記載事項通知 request for one body, sent now by the ward."""
        return {
            "event_id": str(event_id),
            "municipality_code": self._municipality_code,
            "sent_at": datetime.now(UTC).astimezone(JST).isoformat(),
            "body": dict(body),
        }

    async def call(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        attributes: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """Make one traced call (transport errors propagate)."""
        with tracer.start_as_current_span(
            f"{method} {path}",
            kind=trace.SpanKind.CLIENT,
            attributes={"http.request.method": method, "url.path": path, **(attributes or {})},
        ) as span:
            response = await self._http.request(
                method, path, headers=inject_headers(headers), json=json, params=params
            )
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 400:
                span.set_status(trace.StatusCode.ERROR)
            return response
