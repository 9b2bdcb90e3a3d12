"""Record every call that touches personal data in the access log (アクセスログ, spec 10.2).

The middleware writes one hash-chained row per request after the endpoint has answered and before
the answer leaves: who (verified staff id, or none when authentication failed), when, which
terminal, which function, which people, whether 個人番号 was accessed, the outcome and the trace id.
If the row cannot be written the caller gets 503 instead of the data (fail closed).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import FastAPI, Request, Response
from jumin_platform.access_log import AccessEntry
from jumin_platform.problems import problem_response
from opentelemetry import trace

from registry.bootstrap import Registry

logger = logging.getLogger(__name__)

UNLOGGED_PATHS = frozenset({"/healthz", "/readyz", "/docs", "/redoc", "/openapi.json"})
_PRINTABLE = re.compile(r"[^\x21-\x7e]")


@dataclass
class AccessContext:
    """Collect, while a request runs, whom it touched and whether a 個人番号 was accessed."""

    subjects: set[str] = field(default_factory=set)
    blocked: set[str] = field(default_factory=set)
    my_number_accessed: bool = False

    def touch(self, *atena_nos: str) -> None:
        """Note people the request read or wrote (処理対象者)."""
        self.subjects.update(atena_nos)

    def block(self, *atena_nos: str) -> None:
        """Note people withheld because of a 支援措置 (the attempt is logged on its own row)."""
        self.blocked.update(atena_nos)
        self.subjects.difference_update(atena_nos)


def access_context(request: Request) -> AccessContext:
    """Return the request's access context (a throwaway one outside the middleware)."""
    context = getattr(request.state, "access", None)
    return context if isinstance(context, AccessContext) else AccessContext()


def _outcome(status: int) -> str:
    if status < 400:
        return "ok"
    return {401: "unauthenticated", 403: "denied", 404: "not_found"}.get(
        status, "refused" if status < 500 else "error"
    )


def _terminal(request: Request) -> str | None:
    raw = request.headers.get("x-jumin-terminal")
    return _PRINTABLE.sub("", raw)[:64] or None if raw else None


def _function(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "name", None) or "unmatched_route")


def _trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def _entries(request: Request, response: Response, registry: Registry) -> list[AccessEntry]:
    context = access_context(request)
    path_atena = request.scope.get("path_params", {}).get("atena_no")
    if isinstance(path_atena, str) and path_atena not in context.blocked:
        context.touch(path_atena)
    entry = _entry(request, response, registry, context)
    if not context.blocked:
        return [entry]
    attempt = dataclasses.replace(
        entry,
        function=f"{entry.function}:support_measure_block",
        subjects=tuple(sorted(context.blocked)),
        outcome="withheld",
    )
    return [entry, attempt]


def _entry(
    request: Request, response: Response, registry: Registry, context: AccessContext
) -> AccessEntry:
    staff = getattr(request.state, "staff", None)
    return AccessEntry(
        occurred_at=registry.clock(),
        operator=getattr(staff, "user_id", None),
        terminal=_terminal(request),
        function=_function(request),
        subjects=tuple(sorted(context.subjects)),
        my_number_accessed=context.my_number_accessed,
        outcome=_outcome(response.status_code),
        status_code=response.status_code,
        trace_id=_trace_id(),
    )


async def log_access(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Run the request, then append its access-log row; answer 503 if that fails."""
    if request.url.path in UNLOGGED_PATHS:
        return await call_next(request)
    request.state.access = AccessContext()
    response = await call_next(request)
    registry: Registry = request.app.state.registry
    try:
        async with registry.pool.acquire() as connection:
            for entry in _entries(request, response, registry):
                await registry.access_log.append(connection, entry)
    except Exception as exc:  # the data must not leave unlogged
        logger.error("access log write failed: %s", type(exc).__name__)
        return problem_response(
            503,
            "Access log unavailable",
            "アクセスログを記録できないため処理結果を返せません / "
            "the access could not be logged, so no data is returned",
        )
    return response


def install_access_logging(app: FastAPI) -> None:
    """Log every request except health and documentation endpoints."""
    app.middleware("http")(log_access)
