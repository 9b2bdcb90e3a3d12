"""A simulator's console script as a process on a free port, for the simulators' CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from jumin_testing.e2e.environment import free_port

__all__ = ["serve_simulator", "wait_healthy"]


@contextmanager
def serve_simulator(script: str, env_prefix: str, workdir: Path) -> Iterator[str]:
    """Run `<script> serve` on a free port (a 'timeout' fault hangs 0.5 s); yield its base URL.

    `env_prefix` is the simulator's settings prefix (`JUMIN_CS_SIMULATOR_`); spans go to
    `workdir`. The process is terminated when the block ends.
    """
    port = free_port()
    env = os.environ | {
        f"{env_prefix}PORT": str(port),
        f"{env_prefix}TIMEOUT_HANG": "0.5",
        "JUMIN_TRACE_DIR": str(workdir),
    }
    executable = Path(sys.executable).parent / script
    process = subprocess.Popen([str(executable), "serve"], env=env, cwd=workdir)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_healthy(base_url: str, within: float = 30.0) -> httpx.Response:
    """Return the first answer of `GET /healthz` once the process listens."""
    deadline = time.monotonic() + within
    while True:
        try:
            return httpx.get(f"{base_url}/healthz", timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
