"""Log every operator API call in `moj_notify.access_log` (アクセスログ, spec 10.2).

One hash-chained row per request (health and documentation endpoints aside), written before the
answer leaves, 503 if it cannot be written (`jumin_platform.access_logging`). The subjects are
the person keys the endpoints note. Every operator route requires `X-Jumin-Terminal`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from jumin_platform.access_logging import AccessLogging, LogTarget, method_and_route
from jumin_platform.adapter_runtime import ward_now

from moj_notify.entrypoints.api.dependencies import running_service


def _target(request: Request) -> LogTarget:
    service = running_service(request)
    return LogTarget(service.pool, service.access_log, ward_now)  # real time, never moved


ACCESS_LOGGING = AccessLogging(target=_target, function=method_and_route)


def install_access_logging(app: FastAPI) -> None:
    """Log every request except health and documentation endpoints."""
    ACCESS_LOGGING.install(app)
