"""Independent deployment: the adapter installs into a fresh virtual environment from its own
folder plus libs/, migrates with its packaged migrations, and serves (docs/architecture.md).

The venv is made by uv (`jumin_testing.deployment`); the process runs in an empty directory (no
repository .env) against the test database and the session's broker sandbox.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cs_adapter.config import Settings
from jumin_testing.broker import Sandbox
from jumin_testing.deployment import adapter_environment, free_port, install_alone, serve_alone

PACKAGES = ("libs/contracts", "libs/platform", "services/cs_adapter")


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with exactly what uv.lock pins for the adapter, and the adapter."""
    return install_alone("jumin-cs-adapter", PACKAGES, tmp_path_factory.mktemp("venv"))


async def test_the_adapter_installs_alone_migrates_and_serves(
    venv: Path, settings: Settings, sandbox: Sandbox, tmp_path: Path
) -> None:
    port = free_port()
    env = adapter_environment(
        "JUMIN_CS_ADAPTER_",
        settings,
        amqp_url=sandbox.url("jumin_cs_adapter"),
        vhost=sandbox.vhost,
        port=port,
        traces=tmp_path / "traces",
        extra={
            "JUMIN_CS_ADAPTER_CS_BASE_URL": "http://127.0.0.1:9",  # nothing listens: CS "down"
            "JUMIN_CS_ADAPTER_FREE_CODES_LOW_WATER": "0",
            "JUMIN_CS_ADAPTER_MY_NUMBER_KEY_FILE": str(settings.my_number_key_file),
        },
    )
    served = await serve_alone(venv / "bin" / "jumin-cs-adapter", env, port=port, cwd=tmp_path)
    assert (served.ready["database"], served.ready["broker"]) == ("ok", "ok")
    assert "Application shutdown complete" in served.log, served.log[-2000:]
