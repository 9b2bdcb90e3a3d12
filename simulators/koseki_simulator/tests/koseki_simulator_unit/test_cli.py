"""The console script serves the app; a 'timeout' fault drops the connection."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

SCRIPT = Path(sys.executable).parent / "jumin-koseki-simulator"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """Start `jumin-koseki-simulator serve` on a free port and stop it afterwards."""
    port = _free_port()
    env = os.environ | {
        "JUMIN_KOSEKI_SIMULATOR_PORT": str(port),
        "JUMIN_KOSEKI_SIMULATOR_TIMEOUT_HANG": "0.5",
        "JUMIN_TRACE_DIR": str(tmp_path),
    }
    process = subprocess.Popen([str(SCRIPT), "serve"], env=env, cwd=tmp_path)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_healthy(base_url: str) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(f"{base_url}/healthz", timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_console_script_serves_and_timeouts_break_the_connection(server: str) -> None:
    response = _wait_healthy(server)
    assert response.json() == {"status": "ok"}
    httpx.put(f"{server}/sim/faults", json={"timeout_rate": 1.0}).raise_for_status()

    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{server}/koseki/v1/notifications", timeout=0.1)
    with pytest.raises(httpx.RemoteProtocolError):  # after the hang: closed, never answered
        httpx.get(f"{server}/koseki/v1/notifications", timeout=10)
