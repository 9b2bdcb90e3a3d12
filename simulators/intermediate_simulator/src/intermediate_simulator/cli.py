"""Command line: `jumin-intermediate-simulator serve`."""

from __future__ import annotations

from collections.abc import Sequence

from jumin_simulator.cli import serve_command

from intermediate_simulator.config import Settings
from intermediate_simulator.entrypoints.app import create_app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator (`serve`) with uvicorn."""
    return serve_command(
        argv,
        prog="jumin-intermediate-simulator",
        description="中間サーバー simulator",
        service="intermediate-simulator",
        settings=Settings,
        create_app=create_app,
    )
