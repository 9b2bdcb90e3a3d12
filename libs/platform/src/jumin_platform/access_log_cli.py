"""The `audit` sub-commands every service with an access log offers (監査ツール).

    <program> audit checkpoint [--publish]
                                   print the chain's head as `seq:hash` (keep it outside the
                                   database); with a witness, `--publish` also sends it signed
    <program> audit verify [--expect SEQ:HASH]... [--checkpoints FILE]... [--no-witness]
                                   recompute the chain; exit 1 at the first bad row or a missing tail

A service adds them to its parser with `add_audit_commands(subparsers, program)` and runs the
parsed arguments with `run_audit(args, log, dsn, program)`. Malformed checkpoints are usage errors
(exit 2); exit 1 means only that the log failed verification — or, for a service that publishes
checkpoints to the witness (`Witness`), that the witness could not be asked, or that its latest
checkpoint's signature does not verify: a tail that cannot be vouched for is not called intact.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from jumin_platform.access_log import AccessLog, ChainReport, Checkpoint, parse_checkpoints
from jumin_platform.checkpoint_signing import SignedCheckpoint, VerifyingKeyRing
from jumin_platform.checkpoint_witness import (
    CheckpointNotSent,
    CheckpointPublisher,
    TailReport,
    WitnessClient,
    WitnessUnavailable,
    verify_with_witness,
)

__all__ = ["Witness", "add_audit_commands", "run_audit"]


@dataclass(frozen=True, kw_only=True)
class Witness:
    """How a service's checkpoints reach the witness and are read back (built lazily: keys)."""

    url: str
    verifying: Callable[[], VerifyingKeyRing]
    publisher: Callable[[], CheckpointPublisher]


def add_audit_commands(subparsers: Any, program: str, *, witness: bool = False) -> None:
    """Add `audit checkpoint` and `audit verify` to a parser's sub-commands.

    With `witness`, `checkpoint` gets `--publish` and `verify` compares the chain with the
    witness's latest checkpoint unless `--no-witness` is given.
    """
    audit = subparsers.add_parser("audit", help="access-log tools (監査)")
    commands = audit.add_subparsers(dest="audit_command", required=True)
    checkpoint = commands.add_parser(
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
    if witness:
        checkpoint.add_argument(
            "--publish",
            action="store_true",
            help="also sign the checkpoint and send it to the witness (audit_witness)",
        )
        verify.add_argument(
            "--no-witness",
            action="store_true",
            help="verify the chain alone, without the witness's latest checkpoint "
            "(a truncated tail then goes unnoticed)",
        )


def run_audit(
    args: argparse.Namespace,
    log: AccessLog,
    dsn: str,
    program: str,
    witness: Witness | None = None,
) -> int:
    """Run the parsed `audit` sub-command against the log; return the exit code."""
    if args.audit_command == "checkpoint":
        if witness is not None and args.publish:
            return _publish(log, dsn, witness)
        return _checkpoint(log, dsn, program)
    expect = [*args.expect, *(c for listed in args.checkpoints for c in listed)]
    if witness is not None and not args.no_witness:
        return _verify_with_witness(log, dsn, expect, witness)
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


def _publish(log: AccessLog, dsn: str, witness: Witness) -> int:
    publisher = witness.publisher()
    try:
        signed: SignedCheckpoint = asyncio.run(_with_connection(dsn, publisher.publish_now))
    except CheckpointNotSent as error:
        print(f"checkpoint NOT SENT to the witness (broker: {error})", file=sys.stderr)
        return 1
    print(signed.checkpoint.line)
    print(
        f"access log checkpoint of {signed.log} at {signed.taken_at}: row {signed.seq}, signed"
        f" with key {signed.key_id} and sent to the witness",
        file=sys.stderr,
    )
    return 0


def _verify_with_witness(
    log: AccessLog, dsn: str, expect: Sequence[Checkpoint], witness: Witness
) -> int:
    try:
        latest = asyncio.run(WitnessClient(witness.url).latest(log.table))
    except WitnessUnavailable as error:
        print(
            f"access log NOT VERIFIED: {error}; without its latest checkpoint a truncated tail"
            " goes unnoticed (`--no-witness` verifies the chain alone)",
            file=sys.stderr,
        )
        return 1

    async def verify(connection: asyncpg.Connection) -> TailReport:
        return await verify_with_witness(log, connection, latest, witness.verifying(), expect)

    tail = asyncio.run(_with_connection(dsn, verify))
    if tail.checkpoint is None:
        print(f"the witness holds no checkpoint of {log.table} yet", file=sys.stderr)
    elif tail.checkpoint_problem is not None:
        print(f"access log checkpoint REFUSED: {tail.checkpoint_problem}", file=sys.stderr)
    else:
        print(
            f"latest checkpoint: row {tail.checkpoint.seq} taken at {tail.checkpoint.taken_at}"
            f" (key {tail.checkpoint.key_id}); the log's last row is {tail.chain.last_seq}"
        )
    code = _report(tail.chain, [*expect, *tail.used])
    return code if tail.checkpoint_problem is None else 1


def _verify(log: AccessLog, dsn: str, expect: Sequence[Checkpoint]) -> int:
    async def verify(connection: asyncpg.Connection) -> ChainReport:
        return await log.verify(connection, expect)

    return _report(asyncio.run(_with_connection(dsn, verify)), expect)


def _report(report: ChainReport, expect: Sequence[object]) -> int:
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
