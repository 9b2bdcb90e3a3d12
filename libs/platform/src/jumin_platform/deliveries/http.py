"""HTTP/JSON to an external system, traced without personal data, and its answers read as `Reply`.

Each call runs in a CLIENT span that carries only the method, the path template, the status and
the ids given (event id, idempotency key) and injects the W3C ``traceparent`` header, so the
system continues the trace. Spans are made here rather than by instrumenting httpx: the
instrumentation would record full URLs, and a query string (``after=<住民票コード>``) may be
personal data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from uuid import UUID

import httpx
from opentelemetry import trace

from jumin_platform.deliveries.records import Reply
from jumin_platform.telemetry import inject_headers

__all__ = ["TracedHttp", "json_object", "reply_of"]

tracer = trace.get_tracer("jumin_platform.deliveries.http")
R = TypeVar("R", bound=Reply)
_MAX_ERROR_NAMES = 20


class TracedHttp:
    """An httpx client whose every call is a span with the path template and ids only."""

    def __init__(
        self, *, base_url: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def post_idempotent(
        self, path: str, request: Mapping[str, Any], *, event_id: UUID, key: UUID, reply: type[R]
    ) -> R:
        """POST one message under its Idempotency-Key; no answer is a reply with status None."""
        ids = {"jumin.event_id": str(event_id), "jumin.idempotency_key": str(key)}
        try:
            response = await self.call(
                "POST", path, json=request, headers={"Idempotency-Key": str(key)}, attributes=ids
            )
        except httpx.TransportError as exc:  # timeouts, refused and reset connections
            return reply(None, code=type(exc).__name__)
        return reply_of(response, reply)

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


def reply_of(response: httpx.Response, reply: type[R]) -> R:
    """Read an answer: 受付番号 and replay flag, or the error code and the names it gives."""
    data = json_object(response)
    receipt_no = _text(data.get("receipt_no"))
    replayed = bool(data.get("replayed"))
    if response.is_success:
        return reply(response.status_code, receipt_no=receipt_no, replayed=replayed)
    return reply(
        response.status_code,
        code=_text(data.get("code")),
        receipt_no=receipt_no,
        replayed=replayed,
        errors=_error_names(data.get("errors")) or _codes(data.get("mismatches")),
    )


def json_object(response: httpx.Response) -> dict[str, Any]:
    """Return the answer's JSON object ({} when it is none)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error_names(errors: object) -> tuple[str, ...]:
    """Name the fields found invalid: the last part of each `loc` (values are never read)."""
    if not isinstance(errors, Sequence) or isinstance(errors, str):
        return ()
    names: list[str] = []
    for error in errors[:_MAX_ERROR_NAMES]:
        loc = error.get("loc") if isinstance(error, Mapping) else None
        if isinstance(loc, Sequence) and loc and not isinstance(loc, str):
            names.append(str(loc[-1]))
    return tuple(names)


def _codes(codes: object) -> tuple[str, ...]:
    """Result codes an answer lists (照合結果 `mismatches`), as given."""
    if not isinstance(codes, Sequence) or isinstance(codes, str):
        return ()
    return tuple(c for c in codes[:_MAX_ERROR_NAMES] if isinstance(c, str))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
