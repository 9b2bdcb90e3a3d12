"""A simulator's command line: `<script> serve`, the same for every simulator."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TypeVar

from fastapi import FastAPI
from jumin_platform.service_cli import run_api
from jumin_platform.settings import ServiceSettings
from jumin_platform.telemetry import configure as configure_telemetry

_Settings = TypeVar("_Settings", bound=ServiceSettings)


def serve_command(
    argv: Sequence[str] | None,
    *,
    prog: str,
    description: str,
    service: str,
    settings: Callable[[], _Settings],
    create_app: Callable[[_Settings], FastAPI],
) -> int:
    """Parse `serve`, read the settings, start tracing as *service*, then serve the app with
    uvicorn until stopped (hanging calls are cut after 2 s on shutdown)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("command", choices=["serve"])
    parser.parse_args(argv)
    read = settings()
    configure_telemetry(service)
    run_api(create_app(read), read, timeout_graceful_shutdown=2)
    return 0
