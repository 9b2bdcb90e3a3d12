"""The shared adapter API: 503 while the adapter is not running, its settings checked."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from jumin_platform.adapter_api import AdapterApp, RunningAdapter, adapter_app
from jumin_platform.consumer.operations import NotRunning
from jumin_platform.settings import ServiceSettings


def test_a_request_before_start_is_told_the_adapter_is_not_running() -> None:
    running = RunningAdapter[Any]("法務省連携")
    with pytest.raises(NotRunning) as refused:
        running.of(SimpleNamespace(adapter=None))
    assert "法務省連携が起動していません" in str(refused.value)


def test_the_running_adapter_is_the_one_the_app_state_holds() -> None:
    adapter = object()
    assert RunningAdapter[Any]("x").of(SimpleNamespace(adapter=adapter)) is adapter


def test_settings_without_staff_tokens_are_refused() -> None:
    running = RunningAdapter[Any]("x")
    spec = AdapterApp(
        title="t", description="d", running=running, ledger=running, message_types=["a"], tag="t"
    )

    def never(app: object) -> Any:
        raise AssertionError("the app is never built")

    with pytest.raises(TypeError, match="StaffTokenSettings"):
        adapter_app(spec, ServiceSettings(), lifespan=never, overrides=None, routers=[])
