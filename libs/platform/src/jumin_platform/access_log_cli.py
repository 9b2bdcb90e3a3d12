"""The `audit` sub-commands every service with an access log offers (監査ツール).

    <program> audit checkpoint     print the chain's head as `seq:hash` (keep it outside the database)
    <program> audit verify [--expect SEQ:HASH]... [--checkpoints FILE]...
                                   recompute the chain; exit 1 at the first bad row or a missing tail

A service adds them to its parser with `add_audit_commands(subparsers, program)` and runs the
parsed arguments with `run_audit(args, log, dsn, program)`. Malformed checkpoints are usage errors
(exit 2); exit 1 means only that the log failed verification.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg

from jumin_platform.access_log import AccessLog, ChainReport, Checkpoint, parse_checkpoints

__all__ = ["add_audit_commands", "run_audit"]


def add_audit_commands(subparsers: Any, program: str) -> None:
    """Add `audit checkpoint` and `audit verify` to a parser's sub-commands."""
    audit = subparsers.add_parser("audit", help="access-log tools (監査)")
    commands = audit.add_subparsers(dest="audit_command", required=True)
    commands.add_parser(
        "checkpoint", help="print the chain's head as `seq:hash` to keep outside the database"
    )
    verify = commands.add_parser(
        "verify", help="recompute the access log's hash chain; exit 1 at the first bad row"
    )
    verify.add_argument(
        "--expect",
        action="append",
        default=[],
        type=_checkpoint_arg,
        metavar="SEQ:HASH",
        help=f"a checkpoint (from `{program} audit checkpoint`) the chain must still contain "
        "(detects a truncated tail); repeatable",
    )
    verify.add_argument(
        "--checkpoints",
        action="append",
        default=[],
        type=_checkpoints_file,
        metavar="FILE",
        help="a file of checkpoints, one `seq:hash` per line (# comments allowed)",
    )


def run_audit(args: argparse.Namespace, log: AccessLog, dsn: str, program: str) -> int:
    """Run the parsed `audit` sub-command against the log; return the exit code."""
    if args.audit_command == "checkpoint":
        return _checkpoint(log, dsn, program)
    expect = [*args.expect, *(c for listed in args.checkpoints for c in listed)]
    return _verify(log, dsn, expect)


def _checkpoint(log: AccessLog, dsn: str, program: str) -> int:
    checkpoint = asyncio.run(_with_connection(dsn, log.checkpoint))
    print(checkpoint.line)
    print(
        f"access log checkpoint at {checkpoint.at}: row {checkpoint.seq}; keep the line above"
        f" outside the database and pass it to `{program} audit verify --expect`",
        file=sys.stderr,
    )
    return 0


def _verify(log: AccessLog, dsn: str, expect: Sequence[Checkpoint]) -> int:
    async def verify(connection: asyncpg.Connection) -> ChainReport:
        return await log.verify(connection, expect)

    report = asyncio.run(_with_connection(dsn, verify))
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


async def _with_connection(dsn: str, action: Any) -> Any:
    connection = await asyncpg.connect(dsn)
    try:
        return await action(connection)
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
