"""Maker-checker kept by the database itself, without the API (spec 4.0.8).

Approver ≠ maker, only the maker withdraws, a rejection has a reason.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from .helpers import TokenFactory, move_in, submit
from .maker_checker_helpers import CLERK2

# ---- the database keeps the rules without the API ------------------------------------------------


async def test_the_database_refuses_approval_or_rejection_by_the_maker(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    entered = await submit(client, token, move_in())

    for status, reason in (("approved", None), ("rejected", "自己却下")):
        with pytest.raises(asyncpg.exceptions.CheckViolationError) as caught:
            await owner_connection.execute(
                """
                UPDATE registry.changes
                   SET status = $2, decided_by = created_by, decided_at = now(),
                       decision_reason = $3
                 WHERE change_id = $1
                """,
                entered["change_id"],
                status,
                reason,
            )
        assert caught.value.constraint_name == "changes_maker_is_not_checker"

    assert (
        await owner_connection.fetchval(
            "SELECT status FROM registry.changes WHERE change_id = $1", entered["change_id"]
        )
        == "pending"
    )


async def test_the_database_refuses_a_withdrawal_by_anyone_but_the_maker(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    entered = await submit(client, token, move_in())

    with pytest.raises(asyncpg.exceptions.CheckViolationError) as caught:
        await owner_connection.execute(
            """
            UPDATE registry.changes
               SET status = 'withdrawn', withdrawn_by = $2, withdrawn_at = now(),
                   decision_reason = '取下げ'
             WHERE change_id = $1
            """,
            entered["change_id"],
            CLERK2,
        )

    assert caught.value.constraint_name == "changes_withdrawn_by_maker"
    await owner_connection.execute(
        """
        UPDATE registry.changes
           SET status = 'withdrawn', withdrawn_by = created_by, withdrawn_at = now()
         WHERE change_id = $1
        """,
        entered["change_id"],
    )
    assert (
        await owner_connection.fetchval(
            "SELECT status FROM registry.changes WHERE change_id = $1", entered["change_id"]
        )
        == "withdrawn"
    )


async def test_the_database_refuses_a_rejection_without_a_reason(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    entered = await submit(client, token, move_in())

    with pytest.raises(asyncpg.exceptions.CheckViolationError) as caught:
        await owner_connection.execute(
            """
            UPDATE registry.changes
               SET status = 'rejected', decided_by = 'reviewer01', decided_at = now()
             WHERE change_id = $1
            """,
            entered["change_id"],
        )

    assert caught.value.constraint_name == "changes_rejection_has_reason"
