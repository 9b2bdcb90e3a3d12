"""Independent deployment: the adapter installs into a fresh virtual environment from its own
folder plus libs/, migrates with its packaged migrations, and serves (docs/architecture.md).

The process runs in an empty directory (no repository .env) against the test database and the
session's broker sandbox; the 戸籍附票システム is away (nothing listens), which does not stop it.
"""

from __future__ import annotations

import asyncio
import os
from asyncio.subprocess import PIPE, STDOUT
from pathlib import Path

import pytest
from jumin_testing.broker import Sandbox
from jumin_testing.deployment import free_port, install_alone, run, wait_ready
from koseki_adapter.config import Settings

PACKAGES = ("libs/contracts", "libs/platform", "services/koseki_adapter")


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with exactly what uv.lock pins for the adapter, and the adapter."""
    return install_alone("jumin-koseki-adapter", PACKAGES, tmp_path_factory.mktemp("venv"))


def _environment(settings: Settings, sandbox: Sandbox, port: int, traces: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("JUMIN_")}
    return keep | {
        "JUMIN_KOSEKI_ADAPTER_DATABASE_URL": settings.database_url.get_secret_value(),
        "JUMIN_KOSEKI_ADAPTER_MIGRATION_DATABASE_URL": (
            settings.migration_database_url.get_secret_value()
        ),
        "JUMIN_KOSEKI_ADAPTER_AMQP_URL": sandbox.url("jumin_koseki_adapter"),
        "JUMIN_AMQP_VHOST": sandbox.vhost,
        "JUMIN_KOSEKI_ADAPTER_PORT": str(port),
        "JUMIN_KOSEKI_ADAPTER_FUHYO_BASE_URL": "http://127.0.0.1:9",  # nothing listens: "down"
        "JUMIN_KOSEKI_ADAPTER_JWT_PUBLIC_KEY_FILE": str(settings.jwt_public_key_file),
        "JUMIN_TRACE_DIR": str(traces),
    }


async def test_the_adapter_installs_alone_migrates_and_serves(
    venv: Path, settings: Settings, sandbox: Sandbox, tmp_path: Path
) -> None:
    command = str(venv / "bin" / "jumin-koseki-adapter")
    port = free_port()
    env = _environment(settings, sandbox, port, tmp_path / "traces")
    assert "serve" in await asyncio.to_thread(run, command, "--help", env=env, cwd=tmp_path)
    migrated = await asyncio.to_thread(run, command, "migrate", env=env, cwd=tmp_path)
    assert "migration(s) applied" in migrated

    server = await asyncio.create_subprocess_exec(
        command, "serve", env=env, cwd=tmp_path, stdout=PIPE, stderr=STDOUT
    )
    try:
        ready = await wait_ready(f"http://127.0.0.1:{port}", server)
    finally:
        server.terminate()
        output, _ = await asyncio.wait_for(server.communicate(), timeout=30)
    assert ready["database"] == "ok"
    assert ready["broker"] == "ok"
    log = output.decode(errors="replace")
    assert "consuming koseki.events" in log, log[-2000:]
    assert "Application shutdown complete" in log, log[-2000:]
