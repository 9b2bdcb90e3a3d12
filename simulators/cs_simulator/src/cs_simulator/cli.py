"""Command line: `jumin-cs-simulator serve`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from jumin_platform.telemetry import configure as configure_telemetry

from cs_simulator.config import Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator (`serve`) with uvicorn."""
    parser = argparse.ArgumentParser(prog="jumin-cs-simulator", description="市町村CS simulator")
    parser.add_argument("command", choices=["serve"])
    parser.parse_args(argv)
    settings = Settings()
    configure_telemetry("cs-simulator")
    import uvicorn

    from cs_simulator.entrypoints.app import create_app

    # No uvicorn access log: query strings carry 住民票コード.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    return 0
