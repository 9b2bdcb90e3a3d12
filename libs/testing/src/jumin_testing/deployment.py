"""Independent deployment of a service, for its integration test (docs/architecture.md): a fresh
virtual environment with exactly what uv.lock pins for the service (hashes checked), then the
service and the libs it needs installed from their folders without resolving anything; the
installed script is run in an empty directory and awaited until it is ready.

The venv is made by uv (its cache makes this a few seconds).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
from asyncio.subprocess import PIPE, STDOUT
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

__all__ = [
    "REPO",
    "Served",
    "adapter_environment",
    "free_port",
    "install_alone",
    "run",
    "serve_alone",
    "wait_ready",
]

REPO = Path(__file__).resolve().parents[4]

_EXPORT = ("export", "--frozen", "--no-dev", "--no-emit-workspace", "--format", "requirements-txt")
"""`uv export` of the lock file's pins for one workspace package, with hashes, without its siblings."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run(*argv: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run a command to completion; its output (the test fails with its stderr otherwise)."""
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=120, env=env, cwd=cwd, check=False
    )
    assert done.returncode == 0, f"{argv[0]} failed: {done.stderr[-2000:]}"
    return done.stdout


def install_alone(package: str, folders: Sequence[str], workdir: Path) -> Path:
    """Install the workspace `package` (e.g. jumin-cs-adapter) with `folders` (its own and the
    libs', relative to the repository) into a new venv under `workdir`; return the venv."""
    uv = shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    target, requirements = workdir / "venv", workdir / "requirements.txt"
    run(uv, "venv", "-q", str(target), "--python", sys.executable)
    python = str(target / "bin" / "python")
    run(uv, *_EXPORT, "--package", package, "-o", str(requirements), cwd=REPO)
    run(
        uv,
        "pip",
        "install",
        "-q",
        "--python",
        python,
        "--require-hashes",
        "--no-deps",
        "-r",
        str(requirements),
        cwd=REPO,
    )
    run(uv, "pip", "install", "-q", "--python", python, "--no-deps", *folders, cwd=REPO)
    return target


async def wait_ready(base: str, server: asyncio.subprocess.Process) -> dict[str, object]:
    """Poll /healthz, then /readyz, for up to 30 s; the readiness report."""
    deadline = asyncio.get_running_loop().time() + 30
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        while asyncio.get_running_loop().time() < deadline:
            if server.returncode is not None:
                pytest.fail(f"serve exited with {server.returncode}")
            try:
                health = await client.get("/healthz")
                ready = await client.get("/readyz")
            except httpx.TransportError:
                await asyncio.sleep(0.2)
                continue
            if health.status_code == 200 and ready.status_code == 200:
                body: dict[str, object] = ready.json()
                return body
            await asyncio.sleep(0.2)
    pytest.fail("the installed service did not become ready within 30 s")


def adapter_environment(
    prefix: str,
    settings: Any,
    *,
    amqp_url: str,
    vhost: str,
    port: int,
    traces: Path,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of an installed service: the caller's without any `JUMIN_` variable, then
    the service's database URLs, broker URL and vhost, port, JWT key and trace directory from
    the test `settings` (`prefix`: `JUMIN_MOJ_NOTIFY_`), then `extra`."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("JUMIN_")}
    return (
        keep
        | {
            f"{prefix}DATABASE_URL": settings.database_url.get_secret_value(),
            f"{prefix}MIGRATION_DATABASE_URL": settings.migration_database_url.get_secret_value(),
            f"{prefix}AMQP_URL": amqp_url,
            "JUMIN_AMQP_VHOST": vhost,
            f"{prefix}PORT": str(port),
            f"{prefix}JWT_PUBLIC_KEY_FILE": str(settings.jwt_public_key_file),
            "JUMIN_TRACE_DIR": str(traces),
        }
        | dict(extra or {})
    )


@dataclass(frozen=True)
class Served:
    """What an installed service did: its readiness report and its output."""

    ready: dict[str, object]
    log: str


async def serve_alone(command: Path, env: dict[str, str], *, port: int, cwd: Path) -> Served:
    """Check an installed service's script: `--help` names `serve`, `migrate` applies its
    packaged migrations, `serve` becomes ready; then stop it (SIGTERM) and return what it did."""
    assert "serve" in await asyncio.to_thread(run, str(command), "--help", env=env, cwd=cwd)
    migrated = await asyncio.to_thread(run, str(command), "migrate", env=env, cwd=cwd)
    assert "migration(s) applied" in migrated
    server = await asyncio.create_subprocess_exec(
        str(command), "serve", env=env, cwd=cwd, stdout=PIPE, stderr=STDOUT
    )
    try:
        ready = await wait_ready(f"http://127.0.0.1:{port}", server)
    finally:
        server.terminate()
        output, _ = await asyncio.wait_for(server.communicate(), timeout=30)
    # uvicorn shuts down cleanly on SIGTERM, then exits by that signal.
    return Served(ready, output.decode(errors="replace"))
