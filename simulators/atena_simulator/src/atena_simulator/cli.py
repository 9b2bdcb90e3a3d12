"""Command line: `jumin-atena-simulator serve`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from jumin_platform.service_cli import run_api
from jumin_platform.telemetry import configure as configure_telemetry

from atena_simulator.config import Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator (`serve`) with uvicorn."""
    parser = argparse.ArgumentParser(
        prog="jumin-atena-simulator", description="団体内統合宛名システム simulator"
    )
    parser.add_argument("command", choices=["serve"])
    parser.parse_args(argv)
    settings = Settings()
    configure_telemetry("atena-simulator")
    from atena_simulator.entrypoints.app import create_app

    run_api(create_app(settings), settings, timeout_graceful_shutdown=2)
    return 0
