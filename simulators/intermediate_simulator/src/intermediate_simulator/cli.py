"""Command line: `jumin-intermediate-simulator serve`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from jumin_platform.service_cli import run_api
from jumin_platform.telemetry import configure as configure_telemetry

from intermediate_simulator.config import Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator (`serve`) with uvicorn."""
    parser = argparse.ArgumentParser(
        prog="jumin-intermediate-simulator", description="中間サーバー simulator"
    )
    parser.add_argument("command", choices=["serve"])
    parser.parse_args(argv)
    settings = Settings()
    configure_telemetry("intermediate-simulator")
    from intermediate_simulator.entrypoints.app import create_app

    run_api(create_app(settings), settings, timeout_graceful_shutdown=2)
    return 0
