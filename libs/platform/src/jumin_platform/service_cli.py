"""What every service's command line does the same way: migrate its schema, log, serve its API.

A service's `entrypoints/cli.py` keeps its own sub-commands (argparse) and calls these for the
shared ones, so `jumin-<service> migrate` and `jumin-<service> serve` behave alike everywhere.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from jumin_platform.db import apply_migrations
from jumin_platform.settings import ServiceSettings, StoreSettings

__all__ = ["log_to_stderr", "migrate", "run_api"]


def migrate(settings: StoreSettings, migrations: Path) -> int:
    """Apply the service's pending migrations as its schema owner; print how many."""
    applied = apply_migrations(settings.migration_database_url.get_secret_value(), migrations)
    print(f"{settings.service}: {applied} migration(s) applied")
    return 0


def log_to_stderr() -> None:
    """Log INFO and above to stderr, one line each (ids and counts only: no personal data)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")


def run_api(app: FastAPI, settings: ServiceSettings, **options: Any) -> None:
    """Serve the API with uvicorn until stopped, without uvicorn's access log.

    The access log would print query strings, which carry search terms, person keys and dates;
    every call is recorded in the service's own access log table instead.
    """
    import uvicorn

    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,
        **options,
    )
