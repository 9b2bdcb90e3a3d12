"""Command line: `jumin-moj-notify migrate | dev-keys | serve | audit checkpoint | audit verify`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from jumin_platform.adapter_cli import AdapterCommands

from moj_notify.bootstrap import ACCESS_LOG
from moj_notify.config import MIGRATIONS_DIR, Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def _app(settings: Settings) -> FastAPI:
    from moj_notify.entrypoints.api.app import create_app

    return create_app(settings)


COMMANDS = AdapterCommands(
    program="jumin-moj-notify",
    title="法務省連携 (moj_notify)",
    settings=Settings,
    migrations=MIGRATIONS_DIR,
    access_log=ACCESS_LOG,
    app=_app,
    serve_help="consume moj.*, send to the ministry's 連携サーバ and serve the operator API",
)
main = COMMANDS.main
"""Run a `jumin-moj-notify` sub-command (the console script)."""


if __name__ == "__main__":
    sys.exit(main())
