"""Command line: `jumin-cs-adapter migrate | dev-keys | serve | audit checkpoint | audit verify`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from jumin_platform.access_log_cli import add_audit_commands, run_audit
from jumin_platform.my_number_vault import generate_key_file
from jumin_platform.service_cli import log_to_stderr, migrate, run_api

from cs_adapter.bootstrap import ACCESS_LOG
from cs_adapter.config import MIGRATIONS_DIR, Settings

PROGRAM = "jumin-cs-adapter"


def _migrate(settings: Settings) -> int:
    return migrate(settings, MIGRATIONS_DIR)


def _dev_keys(settings: Settings) -> int:
    generate_key_file(settings.my_number_key_file)
    print(f"cs_adapter development key ring: {settings.my_number_key_file}")
    return 0


def _serve(settings: Settings) -> int:
    from jumin_platform.telemetry import configure as configure_telemetry

    from cs_adapter.entrypoints.api.app import create_app

    log_to_stderr()
    # httpx logs every request URL at INFO: the 整合性確認's paging URL carries a 住民票コード
    # (after=…), and the notification poll would fill the log twice a second.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    configure_telemetry("cs-adapter")
    run_api(create_app(settings), settings)
    return 0


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    return run_audit(args, ACCESS_LOG, settings.database_url.get_secret_value(), PROGRAM)


_COMMANDS = {"migrate": _migrate, "dev-keys": _dev_keys, "serve": _serve}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROGRAM,
        description="住基ネット 市町村CS連携 (cs_adapter): settings from JUMIN_CS_ADAPTER_* variables",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the cs_adapter schema's migrations (owner role)")
    commands.add_parser("dev-keys", help="create the development 個人番号 key ring if missing")
    commands.add_parser(
        "serve", help="consume cs.*, poll CS, supply free codes and serve the operator API"
    )
    add_audit_commands(commands, PROGRAM)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a `jumin-cs-adapter` sub-command."""
    args = _parser().parse_args(argv)
    if args.command == "audit":
        return _audit(Settings(), args)
    return _COMMANDS[args.command](Settings())


if __name__ == "__main__":
    sys.exit(main())
