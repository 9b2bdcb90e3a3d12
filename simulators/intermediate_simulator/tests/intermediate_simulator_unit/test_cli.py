"""The console script serves the app; a 'timeout' fault drops the connection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from jumin_testing.simulator_process import serve_simulator, wait_healthy


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """Start `jumin-intermediate-simulator serve` on a free port and stop it afterwards."""
    with serve_simulator(
        "jumin-intermediate-simulator", "JUMIN_INTERMEDIATE_SIMULATOR_", tmp_path
    ) as url:
        yield url


def test_console_script_serves_and_timeouts_break_the_connection(server: str) -> None:
    response = wait_healthy(server)
    assert response.json() == {"status": "ok"}
    httpx.put(f"{server}/sim/faults", json={"timeout_rate": 1.0}).raise_for_status()

    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{server}/intermediate/v1/copies", timeout=0.1)
    with pytest.raises(httpx.RemoteProtocolError):  # after the hang: closed, never answered
        httpx.get(f"{server}/intermediate/v1/copies", timeout=10)
