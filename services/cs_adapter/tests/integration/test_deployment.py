"""Independent deployment: the adapter installs into a fresh virtual environment from its own
folder plus libs/, migrates with its packaged migrations, and serves (docs/architecture.md).

The venv is made by uv (its cache makes this a few seconds); the process runs in an empty
directory (no repository .env) against the test database and the session's broker sandbox.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
from asyncio.subprocess import PIPE, STDOUT
from pathlib import Path

import httpx
import pytest
from cs_adapter.config import Settings
from jumin_testing.broker import Sandbox

REPO = Path(__file__).resolve().parents[4]
PACKAGES = ("libs/contracts", "libs/platform", "services/cs_adapter")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


_EXPORT = ("export", "--frozen", "--no-dev", "--no-emit-workspace", "--format", "requirements-txt")
"""`uv export` of the lock file's pins for one workspace package, with hashes, without its siblings."""


def _run(*argv: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=120, env=env, cwd=cwd, check=False
    )
    assert done.returncode == 0, f"{argv[0]} failed: {done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with exactly what uv.lock pins for the adapter (hashes checked), then the
    adapter and the two libs from their folders without resolving anything."""
    uv = shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    workdir = tmp_path_factory.mktemp("venv")
    target, requirements = workdir / "cs_adapter", workdir / "requirements.txt"
    _run(uv, "venv", "-q", str(target), "--python", sys.executable)
    python = str(target / "bin" / "python")
    _run(uv, *_EXPORT, "--package", "jumin-cs-adapter", "-o", str(requirements), cwd=REPO)
    _run(
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
    _run(uv, "pip", "install", "-q", "--python", python, "--no-deps", *PACKAGES, cwd=REPO)
    return target


def _environment(settings: Settings, sandbox: Sandbox, port: int, traces: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("JUMIN_")}
    return keep | {
        "JUMIN_CS_ADAPTER_DATABASE_URL": settings.database_url.get_secret_value(),
        "JUMIN_CS_ADAPTER_MIGRATION_DATABASE_URL": settings.migration_database_url.get_secret_value(),
        "JUMIN_CS_ADAPTER_AMQP_URL": sandbox.url("jumin_cs_adapter"),
        "JUMIN_AMQP_VHOST": sandbox.vhost,
        "JUMIN_CS_ADAPTER_PORT": str(port),
        "JUMIN_CS_ADAPTER_CS_BASE_URL": "http://127.0.0.1:9",  # nothing listens: CS "down"
        "JUMIN_CS_ADAPTER_FREE_CODES_LOW_WATER": "0",
        "JUMIN_CS_ADAPTER_JWT_PUBLIC_KEY_FILE": str(settings.jwt_public_key_file),
        "JUMIN_CS_ADAPTER_MY_NUMBER_KEY_FILE": str(settings.my_number_key_file),
        "JUMIN_TRACE_DIR": str(traces),
    }


async def test_the_adapter_installs_alone_migrates_and_serves(
    venv: Path, settings: Settings, sandbox: Sandbox, tmp_path: Path
) -> None:
    command = str(venv / "bin" / "jumin-cs-adapter")
    port = _free_port()
    env = _environment(settings, sandbox, port, tmp_path / "traces")
    assert "serve" in await asyncio.to_thread(_run, command, "--help", env=env, cwd=tmp_path)
    migrated = await asyncio.to_thread(_run, command, "migrate", env=env, cwd=tmp_path)
    assert "migration(s) applied" in migrated

    server = await asyncio.create_subprocess_exec(
        command, "serve", env=env, cwd=tmp_path, stdout=PIPE, stderr=STDOUT
    )
    try:
        ready = await _wait_ready(f"http://127.0.0.1:{port}", server)
    finally:
        server.terminate()
        output, _ = await asyncio.wait_for(server.communicate(), timeout=30)
    assert ready["database"] == "ok"
    assert ready["broker"] == "ok"
    # uvicorn shuts down cleanly on SIGTERM, then exits by that signal.
    log = output.decode(errors="replace")
    assert "Application shutdown complete" in log, log[-2000:]


async def _wait_ready(base: str, server: asyncio.subprocess.Process) -> dict[str, object]:
    """Poll /healthz, then /readyz, for up to 30 s."""
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
    pytest.fail("the installed adapter did not become ready within 30 s")
