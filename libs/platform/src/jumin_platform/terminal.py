"""Require the terminal (端末名, `X-Jumin-Terminal`) on every staff call (spec 10.2).

The access log records the terminal of every operation, so a staff router is included with
`dependencies=TERMINAL_REQUIRED`; an endpoint that stores the terminal takes `Terminal`:

    app.include_router(changes.router, dependencies=TERMINAL_REQUIRED)

    async def submit_change(..., terminal: Terminal) -> ...

A call without a usable terminal (missing, empty, blank, longer than 64 characters, anything but
visible ASCII) is a 422 problem naming the header, raised before the endpoint runs, so nothing
changes. The header is an ordinary parameter, documented in the OpenAPI. Authentication is
checked first: the staff dependency still runs when the header is wrong, so an unauthenticated
call gets 401 and a call without the role 403 — only an identified caller learns what the request
lacks, and the access log names who sent it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header
from fastapi.params import Depends as DependsParam

__all__ = ["TERMINAL_HEADER", "TERMINAL_REQUIRED", "Terminal", "TerminalHeader", "require_terminal"]

TERMINAL_HEADER = "X-Jumin-Terminal"
TERMINAL_PATTERN = r"^[\x21-\x7e]+$"
"""Visible ASCII, no spaces or control characters: what the access log keeps of a terminal."""

TerminalHeader = Annotated[
    str,
    Header(
        alias=TERMINAL_HEADER,
        min_length=1,
        max_length=64,
        pattern=TERMINAL_PATTERN,
        description="端末名 (terminal id, required on every staff call; spec 10.2)",
        examples=["counter-01"],
    ),
]


async def require_terminal(terminal: TerminalHeader) -> str:
    """Return the caller's terminal; FastAPI answers 422 when the header is missing or unusable."""
    return terminal


TERMINAL_REQUIRED: list[DependsParam] = [Depends(require_terminal)]
"""`dependencies=` for a staff router: every route in it requires the terminal."""

Terminal = Annotated[str, Depends(require_terminal)]
"""An endpoint's terminal (the same dependency, parsed once per request)."""
