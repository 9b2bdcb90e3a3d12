"""Command line: `jumin-moj-notify migrate | dev-keys | serve | audit checkpoint | audit verify`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from jumin_platform.access_log_cli import add_audit_commands, run_audit
from jumin_platform.service_cli import log_to_stderr, migrate, run_api

from moj_notify.bootstrap import ACCESS_LOG
from moj_notify.config import MIGRATIONS_DIR, Settings

PROGRAM = "jumin-moj-notify"


def _migrate(settings: Settings) -> int:
    return migrate(settings, MIGRATIONS_DIR)


def _dev_keys(_: Settings) -> int:
    print("moj_notify: no development keys needed (it sees no 個人番号)")
    return 0


def _serve(settings: Settings) -> int:
    from jumin_platform.telemetry import configure as configure_telemetry

    from moj_notify.entrypoints.api.app import create_app

    log_to_stderr()
    # httpx logs every request URL at INFO (the feed's cursor; keep request lines out of logs).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    configure_telemetry("moj-notify")
    run_api(create_app(settings), settings)
    return 0


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    return run_audit(args, ACCESS_LOG, settings.database_url.get_secret_value(), PROGRAM)


_COMMANDS = {"migrate": _migrate, "dev-keys": _dev_keys, "serve": _serve}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="法務省連携 (moj_notify): settings from JUMIN_MOJ_NOTIFY_* variables",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the moj_notify schema's migrations (owner role)")
    commands.add_parser("dev-keys", help="nothing to make (the service holds no keys)")
    commands.add_parser(
        "serve", help="consume moj.*, send to the ministry's 連携サーバ and serve the operator API"
    )
    add_audit_commands(commands, PROGRAM)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a `jumin-moj-notify` sub-command."""
    args = _parser().parse_args(argv)
    if args.command == "audit":
        return _audit(Settings(), args)
    return _COMMANDS[args.command](Settings())


if __name__ == "__main__":
    sys.exit(main())
