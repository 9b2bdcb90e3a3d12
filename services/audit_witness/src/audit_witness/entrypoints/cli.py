"""Command line: `jumin-audit-witness migrate | dev-keys | serve`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from jumin_platform.service_cli import log_to_stderr, migrate, run_api
from jumin_platform.telemetry import configure as configure_telemetry

from audit_witness.config import MIGRATIONS_DIR, Settings


def _migrate(settings: Settings, _: argparse.Namespace) -> int:
    return migrate(settings, MIGRATIONS_DIR)


def _dev_keys(settings: Settings, _: argparse.Namespace) -> int:
    # The witness signs nothing: the signers' public rings are written by their own `dev-keys`.
    print(
        f"audit_witness: no keys of its own; signers' public keys are read from {settings.signers_dir}"
    )
    return 0


def _serve(settings: Settings, _: argparse.Namespace) -> int:
    from audit_witness.entrypoints.api.app import create_app

    configure_telemetry("audit-witness")
    log_to_stderr()
    run_api(create_app(settings), settings)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jumin-audit-witness", description="Jumin audit witness (access-log checkpoints)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text, run in (
        ("migrate", "apply the witness's SQL migrations (schema owner)", _migrate),
        ("dev-keys", "nothing to make (the signers make theirs)", _dev_keys),
        ("serve", "keep checkpoints from witness.events and serve them on HTTP", _serve),
    ):
        commands.add_parser(name, help=help_text).set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a `jumin-audit-witness` sub-command."""
    args = _parser().parse_args(argv)
    return int(args.run(Settings(), args))


if __name__ == "__main__":
    sys.exit(main())
