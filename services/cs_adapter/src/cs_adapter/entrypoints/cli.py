"""Command line: `jumin-cs-adapter migrate | dev-keys | serve | audit checkpoint | audit verify`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import asyncpg
from jumin_platform.access_log import ChainReport, Checkpoint, parse_checkpoints
from jumin_platform.db import apply_migrations
from jumin_platform.my_number_vault import generate_key_file

from cs_adapter.bootstrap import ACCESS_LOG
from cs_adapter.config import MIGRATIONS_DIR, Settings


def _migrate(settings: Settings) -> int:
    applied = apply_migrations(settings.migration_database_url.get_secret_value(), MIGRATIONS_DIR)
    print(f"cs_adapter: {applied} migration(s) applied")
    return 0


def _dev_keys(settings: Settings) -> int:
    generate_key_file(settings.my_number_key_file)
    print(f"cs_adapter development key ring: {settings.my_number_key_file}")
    return 0


def _serve(settings: Settings) -> int:
    import uvicorn
    from jumin_platform.telemetry import configure as configure_telemetry

    from cs_adapter.entrypoints.api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # httpx logs every request URL at INFO: the 整合性確認's paging URL carries a 住民票コード
    # (after=…), and the notification poll would fill the log twice a second.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    configure_telemetry("cs-adapter")
    # No access log: query strings of the operator API may carry person keys and dates.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,
    )
    return 0


def _audit_checkpoint(settings: Settings, _: argparse.Namespace) -> int:
    checkpoint = asyncio.run(_take_checkpoint(settings))
    print(checkpoint.line)
    print(
        f"access log checkpoint at {checkpoint.at}: row {checkpoint.seq}; keep the line above"
        " outside the database and pass it to `jumin-cs-adapter audit verify --expect`",
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


_COMMANDS = {"migrate": _migrate, "dev-keys": _dev_keys, "serve": _serve}
_AUDIT: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "checkpoint": _audit_checkpoint,
    "verify": _audit_verify,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jumin-cs-adapter",
        description="住基ネット 市町村CS連携 (cs_adapter): settings from JUMIN_CS_ADAPTER_* variables",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the cs_adapter schema's migrations (owner role)")
    commands.add_parser("dev-keys", help="create the development 個人番号 key ring if missing")
    commands.add_parser(
        "serve", help="consume cs.*, poll CS, supply free codes and serve the operator API"
    )
    audit = commands.add_parser("audit", help="access-log tools (監査)")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser(
        "checkpoint", help="print the chain's head as `seq:hash` to keep outside the database"
    )
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a `jumin-cs-adapter` sub-command."""
    args = _parser().parse_args(argv)
    if args.command == "audit":
        return _AUDIT[args.audit_command](Settings(), args)
    return _COMMANDS[args.command](Settings())


if __name__ == "__main__":
    sys.exit(main())
