"""Command line: `jumin-registry serve | relay | commands | migrate | dev-keys | token | audit`.

`jumin` is the same command under its former name.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence
from datetime import timedelta

from jumin_platform.access_log_cli import add_audit_commands, run_audit
from jumin_platform.auth import Role
from jumin_platform.db import apply_migrations
from jumin_platform.devkeys import generate_keypair, issue_token
from jumin_platform.my_number_vault import generate_key_file
from jumin_platform.telemetry import configure as configure_telemetry

from registry import bootstrap
from registry.bootstrap import ACCESS_LOG
from registry.config import MIGRATIONS_DIR, Settings

_PROCESSES = {
    "serve": "run the HTTP API",
    "relay": "run the outbox relay",
    "commands": "run the consumer of the commands adapters send back (registry.in)",
}


def _migrate(settings: Settings, _: argparse.Namespace) -> int:
    applied = apply_migrations(settings.migration_database_url.get_secret_value(), MIGRATIONS_DIR)
    print(f"registry: {applied} migration(s) applied")
    return 0


def _dev_keys(settings: Settings, _: argparse.Namespace) -> int:
    generate_keypair(settings.jwt_private_key_file, settings.jwt_public_key_file)
    generate_key_file(settings.my_number_key_file)
    print(
        f"development keys: {settings.jwt_private_key_file}, {settings.jwt_public_key_file}, "
        f"{settings.my_number_key_file}"
    )
    return 0


def _token(settings: Settings, args: argparse.Namespace) -> int:
    generate_keypair(settings.jwt_private_key_file, settings.jwt_public_key_file)
    token = issue_token(
        private_key_pem=settings.jwt_private_key_file.read_text(),
        sub=args.sub,
        roles=list(args.role),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl=timedelta(hours=args.hours),
    )
    print(token)
    return 0


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    return run_audit(args, ACCESS_LOG, settings.database_url.get_secret_value(), "jumin-registry")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jumin-registry", description="Jumin registry")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in _PROCESSES.items():
        commands.add_parser(name, help=help_text)
    commands.add_parser("migrate", help="apply the registry's SQL migrations").set_defaults(
        run=_migrate
    )
    commands.add_parser("dev-keys", help="create development JWT keys").set_defaults(run=_dev_keys)
    token = commands.add_parser("token", help="print a development staff token")
    token.add_argument("--sub", required=True, help="staff id (職員ID)")
    token.add_argument(
        "--role", action="append", required=True, choices=[r.value for r in Role], help="role"
    )
    token.add_argument("--hours", type=float, default=8.0, help="validity in hours")
    token.set_defaults(run=_token)
    add_audit_commands(commands, "jumin-registry")
    commands.choices["audit"].set_defaults(run=_audit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a `jumin-registry` (or `jumin`) sub-command."""
    args = _parser().parse_args(argv)
    if args.command in _PROCESSES:
        return serve_main([args.command])
    return int(args.run(Settings(), args))


def serve_main(argv: Sequence[str] | None = None) -> int:
    """Run the registry API (`serve`), the outbox relay (`relay`) or the command consumer."""
    parser = argparse.ArgumentParser(prog="jumin-registry")
    parser.add_argument("command", choices=list(_PROCESSES))
    args = parser.parse_args(argv)
    settings = Settings()
    configure_telemetry(f"registry-{args.command}")
    if args.command == "relay":
        return _relay(settings)
    if args.command == "commands":
        return _commands(settings)
    import uvicorn

    from registry.entrypoints.api.app import create_app

    # No uvicorn access log: it prints query strings (search terms are personal data); every
    # call is recorded in the access log table instead.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,
    )
    return 0


def _relay(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(bootstrap.relay(settings).run_forever())
    return 0


def _commands(settings: Settings) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(bootstrap.run_commands_consumer(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
