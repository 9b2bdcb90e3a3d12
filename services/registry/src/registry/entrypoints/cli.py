"""Command line: `jumin-registry serve | relay | commands | migrate | reindex-search | dev-keys |
token | audit | check-characters`.

`jumin` is the same command under its former name.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from datetime import timedelta

import asyncpg
from jumin_platform.access_log_cli import add_audit_commands, run_audit
from jumin_platform.auth import Role
from jumin_platform.checkpoint_signing import generate_checkpoint_keys
from jumin_platform.db import create_pool
from jumin_platform.devkeys import generate_keypair, issue_token
from jumin_platform.my_number_vault import generate_key_file
from jumin_platform.service_cli import log_to_stderr, migrate, run_api
from jumin_platform.telemetry import configure as configure_telemetry

from registry import bootstrap
from registry.bootstrap import ACCESS_LOG
from registry.config import MIGRATIONS_DIR, Settings
from registry.service_layer.search_keys import refresh_search_keys


def _migrate(settings: Settings, _: argparse.Namespace) -> int:
    """Apply the SQL migrations, then fill the search keys SQL cannot compute (as the owner)."""
    status = migrate(settings, MIGRATIONS_DIR)
    if status == 0:
        refreshed = asyncio.run(_reindex(settings.migration_database_url.get_secret_value()))
        print(f"registry: {refreshed} search key row(s) refreshed")
    return status


def _reindex_search(settings: Settings, args: argparse.Namespace) -> int:
    """Recompute stale search keys (or all of them with --all) as the service role."""
    dsn = settings.database_url.get_secret_value()
    refreshed = asyncio.run(_reindex(dsn, everything=args.all))
    print(f"registry: {refreshed} search key row(s) refreshed")
    return 0


async def _reindex(dsn: str, *, everything: bool = False) -> int:
    pool = await create_pool(dsn, min_size=1, max_size=1)  # the service's codecs (jsonb)
    try:
        async with pool.acquire() as connection:
            return await refresh_search_keys(connection, everything=everything)
    finally:
        await pool.close()


def _dev_keys(settings: Settings, _: argparse.Namespace) -> int:
    generate_keypair(settings.jwt_private_key_file, settings.jwt_public_key_file)
    generate_key_file(settings.my_number_key_file)
    generate_checkpoint_keys(settings.checkpoint_key_file, settings.checkpoint_public_key_file)
    print(
        f"development keys: {settings.jwt_private_key_file}, {settings.jwt_public_key_file}, "
        f"{settings.my_number_key_file}, {settings.checkpoint_key_file} "
        f"(public: {settings.checkpoint_public_key_file})"
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
    return run_audit(
        args,
        ACCESS_LOG,
        settings.database_url.get_secret_value(),
        "jumin-registry",
        bootstrap.witness(settings),
    )


def _check_characters(settings: Settings, _: argparse.Namespace) -> int:
    """Report stored characters outside the set; exit 1 if there are any (never rewrites)."""
    return asyncio.run(_report_characters(settings))


async def _report_characters(settings: Settings) -> int:
    from registry.service_layer.characters import stored_findings

    connection = await asyncpg.connect(settings.database_url.get_secret_value())
    found = 0
    try:
        async for finding in stored_findings(connection):
            print(finding.line())
            found += 1
    finally:
        await connection.close()
    verdict = "outside the character set" if found else "all within the character set"
    print(f"check-characters: {found} character(s) {verdict}", file=sys.stderr)
    return 1 if found else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jumin-registry", description="Jumin registry")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, run) in _PROCESSES.items():
        commands.add_parser(name, help=help_text).set_defaults(run=run)
    commands.add_parser(
        "migrate", help="apply the registry's SQL migrations, then refresh stale search keys"
    ).set_defaults(run=_migrate)
    reindex = commands.add_parser(
        "reindex-search",
        help="recompute the stored search keys written under older rules (run by migrate)",
    )
    reindex.add_argument("--all", action="store_true", help="recompute every row's keys")
    reindex.set_defaults(run=_reindex_search)
    commands.add_parser(
        "dev-keys", help="create development JWT keys and the 個人番号 and checkpoint key rings"
    ).set_defaults(run=_dev_keys)
    token = commands.add_parser("token", help="print a development staff token")
    token.add_argument("--sub", required=True, help="staff id (職員ID)")
    token.add_argument(
        "--role", action="append", required=True, choices=[r.value for r in Role], help="role"
    )
    token.add_argument("--hours", type=float, default=8.0, help="validity in hours")
    token.set_defaults(run=_token)
    commands.add_parser(
        "check-characters",
        help="report stored names and items holding characters outside the set (exit 1 if any)",
    ).set_defaults(run=_check_characters)
    add_audit_commands(commands, "jumin-registry", witness=True)
    commands.choices["audit"].set_defaults(run=_audit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a `jumin-registry` (or `jumin`) sub-command."""
    args = _parser().parse_args(argv)
    return int(args.run(Settings(), args))


def _serve(settings: Settings, _: argparse.Namespace) -> int:
    from registry.entrypoints.api.app import create_app

    configure_telemetry("registry-serve")
    run_api(create_app(settings), settings)
    return 0


def _relay(settings: Settings, _: argparse.Namespace) -> int:
    configure_telemetry("registry-relay")
    log_to_stderr()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(bootstrap.run_relay(settings))
    return 0


def _commands(settings: Settings, _: argparse.Namespace) -> int:
    configure_telemetry("registry-commands")
    log_to_stderr()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(bootstrap.run_commands_consumer(settings))
    return 0


_PROCESSES = {
    "serve": ("run the HTTP API", _serve),
    "relay": ("run the outbox relay and the interval access-log checkpoints", _relay),
    "commands": ("run the consumer of the commands adapters send back (registry.in)", _commands),
}


if __name__ == "__main__":
    sys.exit(main())
