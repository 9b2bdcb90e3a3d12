"""Log every API call in the service's access log (アクセスログ, spec 10.2): the shared middleware.

The middleware writes the request's hash-chained row(s) after the endpoint has answered and before
the answer leaves: who (verified staff id, or none when authentication failed), when, which
terminal, which function, which people, whether 個人番号 was accessed, the outcome and the trace
id. If the row cannot be written the caller gets 503 instead of the data (fail closed).

Endpoints note whom they touched on the request's `AccessContext` (`access_context(request)`);
code without the request at hand (a service-layer callback) reaches the same context through
`current_access()`. Each service says where its log lives and may add rows of its own (the
registry's 支援措置 rows):

    AccessLogging(target=lambda request: LogTarget(pool, ACCESS_LOG, clock)).install(app)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import asyncpg
from fastapi import FastAPI, Request, Response
from opentelemetry import trace

from jumin_platform.access_log import AccessEntry
from jumin_platform.problems import problem_response

__all__ = [
    "UNLOGGED_PATHS",
    "AccessContext",
    "AccessLogging",
    "Appender",
    "LogTarget",
    "access_context",
    "current_access",
    "method_and_route",
    "outcome_of",
    "route_name",
]

logger = logging.getLogger(__name__)

UNLOGGED_PATHS = frozenset({"/healthz", "/readyz", "/docs", "/redoc", "/openapi.json"})
"""Health and documentation endpoints: no personal data, not logged."""

_NOT_PRINTABLE = re.compile(r"[^\x21-\x7e]")
_UNMATCHED = "unmatched_route"


@dataclass
class AccessContext:
    """Collect, while a request runs, whom it touched and whether a 個人番号 was accessed."""

    subjects: set[str] = field(default_factory=set)
    my_number_accessed: bool = False

    def touch(self, *keys: str) -> None:
        """Note people the request read or wrote (処理対象者)."""
        self.subjects.update(keys)


_CURRENT: ContextVar[AccessContext | None] = ContextVar("jumin_access_context", default=None)


def access_context(request: Request) -> AccessContext:
    """Return the request's access context (a throwaway one outside the middleware)."""
    context = getattr(request.state, "access", None)
    return context if isinstance(context, AccessContext) else AccessContext()


def current_access() -> AccessContext:
    """Return the context of the request being served (a throwaway one outside a request)."""
    return _CURRENT.get() or AccessContext()


class Appender(Protocol):
    """What writes a row: `jumin_platform.access_log.AccessLog` (or a stand-in in tests)."""

    async def append(self, connection: Any, entry: AccessEntry) -> int: ...


@dataclass(frozen=True)
class LogTarget:
    """Where a service's rows go, looked up per request (the pool opens with the app)."""

    pool: asyncpg.Pool[Any]
    log: Appender
    clock: Callable[[], datetime]


def outcome_of(status: int) -> str:
    """Name the outcome of an HTTP status: ok, unauthenticated, denied, not_found, refused, error."""
    if status < 400:
        return "ok"
    return {401: "unauthenticated", 403: "denied", 404: "not_found"}.get(
        status, "refused" if status < 500 else "error"
    )


def route_name(request: Request) -> str:
    """Name the function by the endpoint's name (`get_resident`)."""
    route = request.scope.get("route")
    return str(getattr(route, "name", None) or _UNMATCHED)


def method_and_route(request: Request) -> str:
    """Name the function by method and route template (`GET /operator/held/export`), never the
    raw path or query, which may carry person keys."""
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    return f"{request.method} {template}" if isinstance(template, str) else _UNMATCHED


def _terminal(request: Request) -> str | None:
    raw = request.headers.get("x-jumin-terminal")
    return _NOT_PRINTABLE.sub("", raw)[:64] or None if raw else None


def _trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def _one_row(_: Request, entry: AccessEntry, __: AccessContext) -> Sequence[AccessEntry]:
    return [entry]


RowsHook = Callable[[Request, AccessEntry, AccessContext], Sequence[AccessEntry]]


@dataclass(frozen=True, kw_only=True)
class AccessLogging:
    """The access-log middleware of one service.

    - `target` finds the pool, the log and the clock for a request (raising fails closed);
    - `function` names the function called (`route_name` or `method_and_route`);
    - `new_context` makes the request's context (a service may extend `AccessContext`);
    - `rows` turns the request's row into the rows written (e.g. adds a 支援措置 row).
    """

    target: Callable[[Request], LogTarget]
    function: Callable[[Request], str] = route_name
    new_context: Callable[[], AccessContext] = AccessContext
    rows: RowsHook = _one_row
    unlogged: frozenset[str] = UNLOGGED_PATHS

    def install(self, app: FastAPI) -> None:
        """Log every request except health and documentation endpoints (install it last, so it
        is outermost and sees the final status)."""
        app.middleware("http")(self.log_access)

    async def log_access(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Run the request, then append its access-log row(s); answer 503 if that fails."""
        if request.url.path in self.unlogged:
            return await call_next(request)
        context = self.new_context()
        request.state.access = context
        token = _CURRENT.set(context)
        try:
            response = await call_next(request)
        finally:
            _CURRENT.reset(token)
        try:
            await self._append(request, response, context)
        except Exception as exc:  # the data must not leave unlogged
            logger.error("access log write failed: %s", type(exc).__name__)
            return problem_response(
                503,
                "Access log unavailable",
                "アクセスログを記録できないため処理結果を返せません / "
                "the access could not be logged, so no data is returned",
            )
        return response

    async def _append(self, request: Request, response: Response, context: AccessContext) -> None:
        target = self.target(request)
        entry = self._entry(request, response, context, target.clock())
        async with target.pool.acquire() as connection:
            for row in self.rows(request, entry, context):
                await target.log.append(connection, row)

    def _entry(
        self, request: Request, response: Response, context: AccessContext, now: datetime
    ) -> AccessEntry:
        staff = getattr(request.state, "staff", None)
        return AccessEntry(
            occurred_at=now,
            operator=getattr(staff, "user_id", None),
            terminal=_terminal(request),
            function=self.function(request),
            subjects=tuple(sorted(context.subjects)),
            my_number_accessed=context.my_number_accessed,
            outcome=outcome_of(response.status_code),
            status_code=response.status_code,
            trace_id=_trace_id(),
        )
