"""Every adapter's command line routes its sub-commands the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jumin_platform.access_log import AccessLog
from jumin_platform.adapter_cli import AdapterCommands, DevKeys


def commands(**options: Any) -> AdapterCommands:
    return AdapterCommands(
        program="jumin-moj-notify",
        title="法務省連携 (moj_notify)",
        settings=lambda: object(),
        migrations=Path("migrations"),
        access_log=AccessLog("moj_notify.access_log"),
        app=lambda settings: pytest.fail("serve is not asked"),
        serve_help="serve",
        **options,
    )


def test_the_service_name_comes_from_the_program() -> None:
    assert commands().service == "moj_notify"


def test_dev_keys_without_keys_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert commands().main(["dev-keys"]) == 0
    assert capsys.readouterr().out == "moj_notify: no development keys needed\n"


def test_dev_keys_runs_the_adapters_own_maker() -> None:
    made: list[object] = []
    keys = DevKeys(lambda settings: made.append(settings) or 3, "make keys")
    assert commands(dev_keys=keys).main(["dev-keys"]) == 3
    assert len(made) == 1


def test_an_unknown_sub_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        commands().main(["launch"])
    assert exit_.value.code == 2
    assert "invalid choice: 'launch'" in capsys.readouterr().err
