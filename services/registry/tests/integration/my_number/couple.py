"""The couple with 個人番号 the 個人番号 tests register, and what they check the access log and texts with."""

from __future__ import annotations

import re
from typing import Any

import asyncpg

from ..helpers import (
    Body,
    move_in,
    person,
)

TARO_NUMBER = "621498320257"
HANAKO_NUMBER = "983205673214"
OTHER_VALID_NUMBER = "123456789018"
# Twelve digits standing alone: not the last group of a UUID (…-632387973659, 0.4% of them) nor
# part of a longer word or number.
TWELVE_DIGITS = re.compile(r"(?<![0-9A-Za-z-])[0-9]{12}(?![0-9A-Za-z])")
MASK = "************"
BY_NUMBER = "/residents/search/by-my-number"


def couple() -> Body:
    """A 国内転入 of a couple, each with a 個人番号."""
    return move_in(
        person(my_number=TARO_NUMBER),
        person(
            "山田",
            "花子",
            "ヤマダ",
            "ハナコ",
            relationship="妻",
            birth_date="1982-07-10",
            sex="female",
            my_number=HANAKO_NUMBER,
        ),
    )


async def last_seq(connection: asyncpg.Connection[Any]) -> int:
    """Return the newest access-log sequence number (the log is shared and append-only)."""
    return int(await connection.fetchval("SELECT coalesce(max(seq), 0) FROM registry.access_log"))


async def log_since(connection: asyncpg.Connection[Any], seq: int) -> list[dict[str, Any]]:
    """Return the access-log rows written after `seq`, oldest first."""
    records = await connection.fetch(
        "SELECT operator, function, subjects, my_number_accessed, outcome"
        " FROM registry.access_log WHERE seq > $1 ORDER BY seq",
        seq,
    )
    return [{**dict(r), "subjects": list(r["subjects"])} for r in records]


def assert_no_plain_number(text: str) -> None:
    """Neither number, nor any 12-digit run, appears in the text."""
    assert TARO_NUMBER not in text
    assert HANAKO_NUMBER not in text
    assert not TWELVE_DIGITS.search(text), text
