"""Log every operator API call in `koseki_adapter.access_log` (アクセスログ, spec 10.2).

One hash-chained row per request (health and documentation endpoints aside), written before the
answer leaves, 503 if it cannot be written (`jumin_platform.access_logging`). The subjects are
the person keys the endpoints note. Every operator route requires `X-Jumin-Terminal`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from jumin_platform.access_logging import AccessLogging, LogTarget, method_and_route
from jumin_platform.adapter_runtime import ward_now

from koseki_adapter.entrypoints.api.dependencies import running_adapter


def _target(request: Request) -> LogTarget:
    adapter = running_adapter(request)
    return LogTarget(adapter.pool, adapter.access_log, ward_now)


ACCESS_LOGGING = AccessLogging(target=_target, function=method_and_route)


def install_access_logging(app: FastAPI) -> None:
    """Log every request except health and documentation endpoints."""
    ACCESS_LOGGING.install(app)
