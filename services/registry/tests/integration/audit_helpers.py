"""Steps shared by the access-log tests: the log never shrinks, so tests read only their own rows."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from .helpers import TokenFactory, auth, enter_and_approve, move_in


async def last_seq(connection: asyncpg.Connection[Any]) -> int:
    """Return the highest sequence number in the access log (0 when it is empty)."""
    return int(await connection.fetchval("SELECT coalesce(max(seq), 0) FROM registry.access_log"))


async def rows_after(connection: asyncpg.Connection[Any], seq: int) -> list[dict[str, Any]]:
    """Return the access-log rows appended after `seq`, in order."""
    records = await connection.fetch(
        "SELECT * FROM registry.access_log WHERE seq > $1 ORDER BY seq", seq
    )
    return [dict(r) for r in records]


def summary(row: dict[str, Any]) -> tuple[Any, ...]:
    """Reduce a row to what a test compares: operator, terminal, function, people, 個人番号, result."""
    return (
        row["operator"],
        row["terminal"],
        row["function"],
        list(row["subjects"]),
        row["my_number_accessed"],
        row["outcome"],
        row["status_code"],
    )


def checkpoint_before(row: dict[str, Any]) -> str:
    """Return the checkpoint ``seq:hash`` of the row before `row` (its prev_hash names it)."""
    return f"{row['seq'] - 1}:{bytes(row['prev_hash']).hex()}"


def at_terminal(token: TokenFactory, sub: str, role: str, terminal: str) -> dict[str, str]:
    """Return a staff member's headers with the terminal (端末名) they work at."""
    return {**auth(token, sub, role), "X-Jumin-Terminal": terminal}


async def register(client: httpx.AsyncClient, token: TokenFactory, *people: Any) -> list[str]:
    """Move people in (entered and approved); return their 宛名番号, sorted."""
    change = await enter_and_approve(client, token, move_in(*people))
    return sorted(change["subjects"])
