"""What the integration tests read back: the schedule and the delivery record of a person."""

from __future__ import annotations

from typing import Any

import asyncpg

Db = asyncpg.Connection


async def scheduled(db: Db, person_key: str) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT * FROM moj_notify.scheduled_notices WHERE person_key = $1 ORDER BY seq, id",
        person_key,
    )
    return [dict(row) for row in rows]


async def deliveries(db: Db, person_key: str) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT * FROM moj_notify.deliveries WHERE person_key = $1 ORDER BY id", person_key
    )
    return [dict(row) for row in rows]


def statuses(rows: list[dict[str, Any]]) -> list[str]:
    return [row["status"] for row in rows]
