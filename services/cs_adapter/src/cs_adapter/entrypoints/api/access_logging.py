"""Log every operator API call in `cs_adapter.access_log` (アクセスログ, spec 10.2).

One hash-chained row per request (health and documentation endpoints aside), written before the
answer leaves, 503 if it cannot be written (`jumin_platform.access_logging`). The function is the
method and route template; the subjects are the person keys the endpoints note (deliveries listed,
held messages exported, resend targets, the kit's dead, parked and blocked messages). The held
export marks 個人番号 as accessed. Every operator route requires `X-Jumin-Terminal`
(`jumin_platform.terminal`): an administrator's tool or script names itself, as a counter does.
While the adapter is not running there is no pool to log with, so calls are answered 503.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from jumin_platform.access_logging import AccessLogging, LogTarget, method_and_route
from jumin_platform.adapter_runtime import ward_now

from cs_adapter.entrypoints.api.dependencies import running_adapter


def _target(request: Request) -> LogTarget:
    adapter = running_adapter(request)
    return LogTarget(adapter.pool, adapter.access_log, ward_now)


ACCESS_LOGGING = AccessLogging(target=_target, function=method_and_route)


def install_access_logging(app: FastAPI) -> None:
    """Log every request except health and documentation endpoints."""
    ACCESS_LOGGING.install(app)
