"""Command line: `jumin-moj-simulator serve`."""

from __future__ import annotations

from collections.abc import Sequence

from jumin_simulator.cli import serve_command

from moj_simulator.config import Settings
from moj_simulator.entrypoints.app import create_app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator (`serve`) with uvicorn."""
    return serve_command(
        argv,
        prog="jumin-moj-simulator",
        description="出入国在留管理庁 (法務省) simulator",
        service="moj-simulator",
        settings=Settings,
        create_app=create_app,
    )
