"""The benchmarks' database: the registry's, refused unless it is a *bench* one (a bench empties it)."""

from __future__ import annotations

from urllib.parse import urlparse

from registry.config import Settings


def bench_owner_dsn(settings: Settings) -> str:
    """Return the schema owner's DSN, or exit if the database is not named *bench*."""
    owner_dsn = settings.migration_database_url.get_secret_value()
    database = urlparse(owner_dsn).path.lstrip("/")
    if "bench" not in database:
        raise SystemExit(f"refusing to empty '{database}': use a *bench* database")
    return owner_dsn
