"""Command line: `jumin-atena-simulator serve`."""

from __future__ import annotations

from collections.abc import Sequence

from jumin_simulator.cli import serve_command

from atena_simulator.config import Settings
from atena_simulator.entrypoints.app import create_app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator (`serve`) with uvicorn."""
    return serve_command(
        argv,
        prog="jumin-atena-simulator",
        description="団体内統合宛名システム simulator",
        service="atena-simulator",
        settings=Settings,
        create_app=create_app,
    )
