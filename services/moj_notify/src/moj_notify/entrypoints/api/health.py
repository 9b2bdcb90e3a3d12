"""Liveness and readiness: database and broker (手動連携, the 連携サーバ's reachability and the
feed cursor are reported) — `jumin_platform.adapter_health`."""

from __future__ import annotations

from jumin_platform.adapter_health import adapter_health_router

router = adapter_health_router(
    system="moj",
    summary="Readiness: database and broker (the 連携サーバ and the cursor are reported)",
)
