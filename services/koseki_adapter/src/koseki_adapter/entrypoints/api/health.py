"""Liveness and readiness: database and broker (手動連携, the 戸籍附票システム and the notice cursor
are reported) — `jumin_platform.adapter_health`."""

from __future__ import annotations

from jumin_platform.adapter_health import adapter_health_router

router = adapter_health_router(
    system="fuhyo",
    summary="Readiness: database and broker (the 戸籍附票システム and the cursor are reported)",
)
