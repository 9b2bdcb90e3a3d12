"""Independent deployment: the adapter installs into a fresh virtual environment from its own
folder plus libs/, migrates with its packaged migrations, and serves (docs/architecture.md).

The process runs in an empty directory (no repository .env) against the test database and the
session's broker sandbox; the 戸籍附票システム is away (nothing listens), which does not stop it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from jumin_testing.broker import Sandbox
from jumin_testing.deployment import adapter_environment, free_port, install_alone, serve_alone
from koseki_adapter.config import Settings

PACKAGES = ("libs/contracts", "libs/platform", "services/koseki_adapter")


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with exactly what uv.lock pins for the adapter, and the adapter."""
    return install_alone("jumin-koseki-adapter", PACKAGES, tmp_path_factory.mktemp("venv"))


async def test_the_adapter_installs_alone_migrates_and_serves(
    venv: Path, settings: Settings, sandbox: Sandbox, tmp_path: Path
) -> None:
    port = free_port()
    env = adapter_environment(
        "JUMIN_KOSEKI_ADAPTER_",
        settings,
        amqp_url=sandbox.url("jumin_koseki_adapter"),
        vhost=sandbox.vhost,
        port=port,
        traces=tmp_path / "traces",
        extra={
            "JUMIN_KOSEKI_ADAPTER_FUHYO_BASE_URL": "http://127.0.0.1:9"
        },  # nothing listens: the external system is "down"
    )
    served = await serve_alone(venv / "bin" / "jumin-koseki-adapter", env, port=port, cwd=tmp_path)
    assert (served.ready["database"], served.ready["broker"]) == ("ok", "ok")
    assert "consuming koseki.events" in served.log, served.log[-2000:]
    assert "Application shutdown complete" in served.log, served.log[-2000:]
