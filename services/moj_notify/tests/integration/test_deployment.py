"""Independent deployment: the service installs into a fresh virtual environment from its own
folder plus libs/, migrates with its packaged migrations (and finds its 国籍・地域 table, package
data), and serves (docs/architecture.md).

The process runs in an empty directory (no repository .env) against the test database and the
session's broker sandbox; the 連携サーバ is away (nothing listens), which does not stop it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from jumin_testing.broker import Sandbox
from jumin_testing.deployment import adapter_environment, free_port, install_alone, serve_alone
from moj_notify.config import Settings

PACKAGES = ("libs/contracts", "libs/platform", "services/moj_notify")


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with exactly what uv.lock pins for the service, and the service."""
    return install_alone("jumin-moj-notify", PACKAGES, tmp_path_factory.mktemp("venv"))


async def test_the_service_installs_alone_migrates_and_serves(
    venv: Path, settings: Settings, sandbox: Sandbox, tmp_path: Path
) -> None:
    port = free_port()
    env = adapter_environment(
        "JUMIN_MOJ_NOTIFY_",
        settings,
        amqp_url=sandbox.url("jumin_moj_notify"),
        vhost=sandbox.vhost,
        port=port,
        traces=tmp_path / "traces",
        extra={"JUMIN_MOJ_NOTIFY_MOJ_BASE_URL": "http://127.0.0.1:9"},  # nothing listens
    )
    served = await serve_alone(venv / "bin" / "jumin-moj-notify", env, port=port, cwd=tmp_path)
    assert (served.ready["database"], served.ready["broker"]) == ("ok", "ok")
    assert "consuming moj.events" in served.log, served.log[-2000:]
    assert "Application shutdown complete" in served.log, served.log[-2000:]
    assert any((venv / "lib").glob("python*/site-packages/moj_notify/data/nationalities.toml"))
