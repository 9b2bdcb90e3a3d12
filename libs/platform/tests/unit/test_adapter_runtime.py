"""The adapter runtime starts its parts in order, stops them in reverse, and reports a dead loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from jumin_platform.adapter_runtime import AdapterRuntime, Loop, scheduled_check


@dataclass
class Journal:
    """What the fake parts were asked to do, in order."""

    calls: list[str] = field(default_factory=list)


@dataclass
class Part:
    name: str
    journal: Journal

    async def start(self) -> None:
        self.journal.calls.append(f"{self.name} start")

    async def stop(self) -> None:
        self.journal.calls.append(f"{self.name} stop")

    async def close(self) -> None:
        self.journal.calls.append(f"{self.name} close")

    async def aclose(self) -> None:
        self.journal.calls.append(f"{self.name} aclose")


@dataclass(kw_only=True)
class TwoLoops(AdapterRuntime):
    journal: Journal
    crash: bool = False

    def loops(self) -> Iterator[Loop]:
        yield Loop("first", self._forever("first"))
        yield Loop("second", self._crash if self.crash else self._forever("second"))

    def _forever(self, name: str) -> Any:
        async def run() -> None:
            self.journal.calls.append(f"{name} runs")
            await asyncio.Event().wait()

        return run

    async def _crash(self) -> None:
        raise RuntimeError("boom")


def runtime(journal: Journal, **options: Any) -> TwoLoops:
    part = lambda name: cast(Any, Part(name, journal))  # noqa: E731
    return TwoLoops(
        pool=part("pool"),
        kit=part("kit"),
        publisher=part("publisher"),
        clients=(part("client"),),
        journal=journal,
        **options,
    )


async def test_starts_publisher_kit_then_loops_and_stops_in_reverse() -> None:
    journal = Journal()
    adapter = runtime(journal)
    await adapter.start()
    await asyncio.sleep(0)
    assert [task.get_name() for task in adapter.tasks] == ["first", "second"]
    await adapter.close()
    assert journal.calls == [
        "publisher start",
        "kit start",
        "first runs",
        "second runs",
        "kit stop",
        "publisher stop",
        "client aclose",
        "pool close",
    ]
    assert all(task.cancelled() for task in adapter.tasks)


async def test_a_crashed_loop_is_logged_by_name_and_close_still_stops_everything(
    caplog: pytest.LogCaptureFixture,
) -> None:
    journal = Journal()
    adapter = runtime(journal, crash=True)
    with caplog.at_level(logging.ERROR, logger="jumin_platform.adapter_runtime"):
        await adapter.start()
        await asyncio.sleep(0)
    assert "adapter loop second stopped" in caplog.text
    await adapter.close()
    assert journal.calls[-3:] == ["publisher stop", "client aclose", "pool close"]


def test_a_check_every_zero_seconds_is_not_scheduled() -> None:
    async def check(operator: str, started_at: object) -> dict[str, Any]:
        return {}

    assert list(scheduled_check("c", check, every=0)) == []
    assert [loop.name for loop in scheduled_check("c", check, every=60)] == ["c"]
