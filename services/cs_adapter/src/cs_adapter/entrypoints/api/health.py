"""Liveness and readiness: DB, broker, CS, 手動連携, free-code estimate, cursor
(`jumin_platform.adapter_health`, plus the free-code estimate)."""

from __future__ import annotations

from typing import Any

from jumin_platform.adapter_health import adapter_health_router

from cs_adapter.bootstrap import CsAdapter


def _free_codes(adapter: CsAdapter) -> dict[str, Any]:
    supply = adapter.supply
    return {
        "free_codes": {
            "estimate": supply.estimate,
            "low_water": supply.low_water,
            "low": supply.low,
        }
    }


router = adapter_health_router(
    system="cs",
    summary="Readiness: database and broker (CS, 手動連携, free codes and cursor are reported)",
    extra=_free_codes,
)
