"""Record every call that touches personal data in the access log (アクセスログ, spec 10.2).

The generic part (one hash-chained row per request, written before the answer leaves, 503 if it
cannot be written) is `jumin_platform.access_logging`. What is the registry's own: the function is
named by the endpoint, a 宛名番号 in the path is a subject, and people withheld because of a
支援措置 get a row of their own (the attempt), not a place among the subjects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from jumin_platform.access_log import AccessEntry
from jumin_platform.access_logging import AccessContext, AccessLogging, LogTarget, route_name
from jumin_platform.access_logging import access_context as _shared_context

from registry.bootstrap import Registry

__all__ = ["RegistryAccessContext", "access_context", "install_access_logging"]


@dataclass
class RegistryAccessContext(AccessContext):
    """The registry's access context: also the people withheld by a 支援措置."""

    blocked: set[str] = field(default_factory=set)

    def block(self, *atena_nos: str) -> None:
        """Note people withheld because of a 支援措置 (the attempt is logged on its own row)."""
        self.blocked.update(atena_nos)
        self.subjects.difference_update(atena_nos)


def access_context(request: Request) -> RegistryAccessContext:
    """Return the request's access context (a throwaway one outside the middleware)."""
    context = _shared_context(request)
    return context if isinstance(context, RegistryAccessContext) else RegistryAccessContext()


def _target(request: Request) -> LogTarget:
    registry: Registry = request.app.state.registry
    return LogTarget(registry.pool, registry.access_log, registry.clock)


def _rows(request: Request, entry: AccessEntry, context: AccessContext) -> Sequence[AccessEntry]:
    blocked = context.blocked if isinstance(context, RegistryAccessContext) else set()
    path_atena = request.scope.get("path_params", {}).get("atena_no")
    if isinstance(path_atena, str) and path_atena not in blocked:
        entry = dataclasses.replace(entry, subjects=tuple(sorted({*entry.subjects, path_atena})))
    if not blocked:
        return [entry]
    attempt = dataclasses.replace(
        entry,
        function=f"{entry.function}:support_measure_block",
        subjects=tuple(sorted(blocked)),
        outcome="withheld",
    )
    return [entry, attempt]


ACCESS_LOGGING = AccessLogging(
    target=_target, function=route_name, new_context=RegistryAccessContext, rows=_rows
)


def install_access_logging(app: FastAPI) -> None:
    """Log every request except health and documentation endpoints."""
    ACCESS_LOGGING.install(app)
