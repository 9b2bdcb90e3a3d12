"""Command line: `jumin-koseki-simulator serve`."""

from __future__ import annotations

from collections.abc import Sequence

from jumin_simulator.cli import serve_command

from koseki_simulator.config import Settings
from koseki_simulator.entrypoints.app import create_app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator (`serve`) with uvicorn."""
    return serve_command(
        argv,
        prog="jumin-koseki-simulator",
        description="戸籍附票システム simulator",
        service="koseki-simulator",
        settings=Settings,
        create_app=create_app,
    )
