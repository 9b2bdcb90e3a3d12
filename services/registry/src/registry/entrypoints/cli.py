"""Command line: `jumin migrate | dev-keys | token | audit` and `jumin-registry serve`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import asyncpg
from jumin_platform.access_log import ChainReport, Checkpoint, parse_checkpoints
from jumin_platform.auth import Role
from jumin_platform.db import apply_migrations
from jumin_platform.devkeys import generate_keypair, issue_token
from jumin_platform.my_number_vault import generate_key_file, load_vault
from jumin_platform.telemetry import configure as configure_telemetry

from registry.bootstrap import ACCESS_LOG
from registry.config import MIGRATIONS_DIR, Settings


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


def _audit_checkpoint(settings: Settings, _: argparse.Namespace) -> int:
    checkpoint = asyncio.run(_take_checkpoint(settings))
    print(checkpoint.line)
    print(
        f"access log checkpoint at {checkpoint.at}: row {checkpoint.seq}; keep the line above"
        " outside the database and pass it to `jumin audit verify --expect`",
        file=sys.stderr,
    )
    return 0


async def _take_checkpoint(settings: Settings) -> Checkpoint:
    connection = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        return await ACCESS_LOG.checkpoint(connection)
    finally:
        await connection.close()


def _audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    expect = [*args.expect, *(c for listed in args.checkpoints for c in listed)]
    report = asyncio.run(_verify_chain(settings, expect))
    if report.ok:
        met = f", {report.checkpoints} checkpoint(s) met" if expect else ""
        print(f"access log intact: {report.rows} rows{met}")
        return 0
    print(
        f"access log TAMPERED at row seq={report.first_bad_seq}: {report.problem} "
        f"({report.rows} rows before it verified)",
        file=sys.stderr,
    )
    return 1


async def _verify_chain(settings: Settings, expect: Sequence[Checkpoint]) -> ChainReport:
    connection = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        return await ACCESS_LOG.verify(connection, expect)
    finally:
        await connection.close()


def _checkpoint_arg(text: str) -> Checkpoint:
    try:
        return Checkpoint.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _checkpoints_file(path: str) -> list[Checkpoint]:
    try:
        return parse_checkpoints(Path(path).read_text().splitlines())
    except (OSError, ValueError) as error:
        raise argparse.ArgumentTypeError(f"{path}: {error}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jumin", description="Jumin registry tools")
    commands = parser.add_subparsers(dest="command", required=True)
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
    audit = commands.add_parser("audit", help="access-log tools (監査)")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser(
        "checkpoint", help="print the chain's head as `seq:hash` to keep outside the database"
    ).set_defaults(run=_audit_checkpoint)
    verify = audit_commands.add_parser(
        "verify", help="recompute the access log's hash chain; exit 1 at the first bad row"
    )
    verify.add_argument(
        "--expect",
        action="append",
        default=[],
        type=_checkpoint_arg,
        metavar="SEQ:HASH",
        help="a checkpoint the chain must still contain (detects a truncated tail); repeatable",
    )
    verify.add_argument(
        "--checkpoints",
        action="append",
        default=[],
        type=_checkpoints_file,
        metavar="FILE",
        help="a file of checkpoints, one `seq:hash` per line (# comments allowed)",
    )
    verify.set_defaults(run=_audit_verify)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a `jumin` sub-command."""
    args = _parser().parse_args(argv)
    return int(args.run(Settings(), args))


def serve_main(argv: Sequence[str] | None = None) -> int:
    """Run the registry API (`serve`), the outbox relay (`relay`) or the command consumer."""
    parser = argparse.ArgumentParser(prog="jumin-registry")
    parser.add_argument("command", choices=["serve", "relay", "commands"])
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
    from registry.bootstrap import ward_now
    from registry.entrypoints.relay import OutboxRelay, RelayConfig

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    config = RelayConfig(
        database_url=settings.database_url.get_secret_value(),
        amqp_url=settings.amqp_url.get_secret_value(),
        poll_seconds=settings.relay_poll_seconds,
        batch_size=settings.relay_batch_size,
    )
    relay = OutboxRelay(config, load_vault(settings.my_number_key_file), ward_now)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(relay.run_forever())
    return 0


def _commands(settings: Settings) -> int:
    from registry.entrypoints.commands_consumer import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
