"""The command line every adapter has: `jumin-<adapter> migrate | dev-keys | serve | audit …`.

An adapter's `entrypoints/cli.py` describes itself once and hands `main` to its console script::

    COMMANDS = AdapterCommands(
        program="jumin-koseki-adapter",
        title="戸籍附票システム連携 (koseki_adapter)",
        settings=Settings,
        migrations=MIGRATIONS_DIR,
        access_log=ACCESS_LOG,
        app=_app,                      # imports the FastAPI app only when serving
        serve_help="consume koseki.*, send to the 戸籍附票システム and serve the operator API",
    )
    main = COMMANDS.main

`migrate` applies the schema's migrations as its owner; `dev-keys` makes the development keys the
adapter needs (most need none); `serve` configures logging and telemetry and serves the API, which
starts the adapter (`adapter_lifespan`); `audit checkpoint|verify` works on the access log.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from jumin_platform.access_log import AccessLog
from jumin_platform.access_log_cli import add_audit_commands, run_audit
from jumin_platform.service_cli import log_to_stderr, migrate, run_api

__all__ = ["AdapterCommands", "DevKeys"]


@dataclass(frozen=True)
class DevKeys:
    """The adapter's `dev-keys` sub-command: what it makes, and its help line."""

    make: Callable[[Any], int]
    help: str


@dataclass(frozen=True, kw_only=True)
class AdapterCommands:
    """One adapter's command line: its name, Settings, migrations, access log and app."""

    program: str
    title: str
    settings: Callable[[], Any]
    migrations: Path
    access_log: AccessLog
    app: Callable[[Any], FastAPI]
    serve_help: str
    dev_keys: DevKeys | None = None
    quiet_loggers: tuple[str, ...] = ("httpx",)
    """Loggers kept at WARNING: httpx logs every request URL at INFO, and paging URLs carry
    person keys (after=…), and a poll would fill the log twice a second."""

    @property
    def service(self) -> str:
        """The service's name as in its schema and variables (jumin-koseki-adapter → koseki_adapter)."""
        return self.program.removeprefix("jumin-").replace("-", "_")

    def main(self, argv: Sequence[str] | None = None) -> int:
        """Run a sub-command."""
        args = self._parser().parse_args(argv)
        settings = self.settings()
        if args.command == "audit":
            url = settings.database_url.get_secret_value()
            return run_audit(args, self.access_log, url, self.program)
        if args.command == "migrate":
            return migrate(settings, self.migrations)
        if args.command == "dev-keys":
            return self._dev_keys(settings)
        return self._serve(settings)

    def _dev_keys(self, settings: Any) -> int:
        if self.dev_keys is None:
            print(f"{self.service}: no development keys needed")
            return 0
        return self.dev_keys.make(settings)

    def _serve(self, settings: Any) -> int:
        from jumin_platform.telemetry import configure as configure_telemetry

        log_to_stderr()
        for name in self.quiet_loggers:
            logging.getLogger(name).setLevel(logging.WARNING)
        configure_telemetry(self.service.replace("_", "-"))
        run_api(self.app(settings), settings)
        return 0

    def _parser(self) -> argparse.ArgumentParser:
        variables = f"JUMIN_{self.service.upper()}_*"
        parser = argparse.ArgumentParser(
            prog=self.program, description=f"{self.title}: settings from {variables} variables"
        )
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser(
            "migrate", help=f"apply the {self.service} schema's migrations (owner role)"
        )
        keys_help = self.dev_keys.help if self.dev_keys else "nothing to make (no keys held)"
        commands.add_parser("dev-keys", help=keys_help)
        commands.add_parser("serve", help=self.serve_help)
        add_audit_commands(commands, self.program)
        return parser
