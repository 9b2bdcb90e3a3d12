"""Command line: `jumin-cs-adapter migrate | dev-keys | serve | audit checkpoint | audit verify`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from jumin_platform.adapter_cli import AdapterCommands, DevKeys
from jumin_platform.my_number_vault import generate_key_file

from cs_adapter.bootstrap import ACCESS_LOG
from cs_adapter.config import MIGRATIONS_DIR, Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def _app(settings: Settings) -> FastAPI:
    from cs_adapter.entrypoints.api.app import create_app

    return create_app(settings)


def _dev_keys(settings: Settings) -> int:
    generate_key_file(settings.my_number_key_file)
    print(f"cs_adapter development key ring: {settings.my_number_key_file}")
    return 0


COMMANDS = AdapterCommands(
    program="jumin-cs-adapter",
    title="住基ネット 市町村CS連携 (cs_adapter)",
    settings=Settings,
    migrations=MIGRATIONS_DIR,
    access_log=ACCESS_LOG,
    app=_app,
    serve_help="consume cs.*, poll CS, supply free codes and serve the operator API",
    dev_keys=DevKeys(_dev_keys, "create the development 個人番号 key ring if missing"),
)
main = COMMANDS.main
"""Run a `jumin-cs-adapter` sub-command (the console script)."""


if __name__ == "__main__":
    sys.exit(main())
