"""Command line: `jumin-koseki-adapter migrate | dev-keys | serve | audit checkpoint | audit verify`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from jumin_platform.adapter_cli import AdapterCommands

from koseki_adapter.bootstrap import ACCESS_LOG
from koseki_adapter.config import MIGRATIONS_DIR, Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def _app(settings: Settings) -> FastAPI:
    from koseki_adapter.entrypoints.api.app import create_app

    return create_app(settings)


COMMANDS = AdapterCommands(
    program="jumin-koseki-adapter",
    title="戸籍附票システム連携 (koseki_adapter)",
    settings=Settings,
    migrations=MIGRATIONS_DIR,
    access_log=ACCESS_LOG,
    app=_app,
    serve_help="consume koseki.*, send to the 戸籍附票システム and serve the operator API",
)
main = COMMANDS.main
"""Run a `jumin-koseki-adapter` sub-command (the console script)."""


if __name__ == "__main__":
    sys.exit(main())
