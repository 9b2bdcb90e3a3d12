"""The console script serves the app; a 'timeout' fault drops the connection."""

from __future__ import annotations

from pathlib import Path

from jumin_testing.simulator_kit import check_console_script


def test_console_script_serves_and_timeouts_break_the_connection(tmp_path: Path) -> None:
    check_console_script(
        "jumin-koseki-simulator", "JUMIN_KOSEKI_SIMULATOR_", tmp_path, "/koseki/v1/notifications"
    )
