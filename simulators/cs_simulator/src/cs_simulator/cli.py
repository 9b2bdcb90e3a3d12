"""Command line: `jumin-cs-simulator serve`."""

from __future__ import annotations

from collections.abc import Sequence

from jumin_simulator.cli import serve_command

from cs_simulator.config import Settings
from cs_simulator.entrypoints.app import create_app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator (`serve`) with uvicorn."""
    return serve_command(
        argv,
        prog="jumin-cs-simulator",
        description="市町村CS simulator",
        service="cs-simulator",
        settings=Settings,
        create_app=create_app,
    )
