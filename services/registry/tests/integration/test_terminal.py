"""Every staff call names its terminal (端末名, spec 10.2); a 422 tells the clerk what is wrong."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .audit_helpers import last_seq, register, rows_after
from .helpers import (
    CLERK,
    TokenFactory,
    is_problem,
    move_in,
    person,
    row_counts,
)

HEADER = "X-Jumin-Terminal"
SECRET_DATE = "昭和三十年ごろの春"


def _without_terminal(token: TokenFactory, sub: str, role: str, terminal: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token(sub, role)}"}
    return headers if terminal is None else {**headers, HEADER: terminal}


def _names_the_header(response: httpx.Response) -> bool:
    problem = response.json()
    return HEADER in problem["detail"] and [HEADER] in [e["loc"][1:] for e in problem["errors"]]


@pytest.mark.parametrize("terminal", [None, "", "   ", "t" * 65, "counter\x0101"])
async def test_a_change_without_a_terminal_is_refused_and_nothing_is_entered(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any, terminal: str | None
) -> None:
    before = await row_counts(owner_connection)
    start = await last_seq(owner_connection)

    response = await client.post(
        "/changes",
        json=move_in(person()),
        headers=_without_terminal(token, CLERK, "clerk", terminal),
    )

    assert is_problem(response, 422), response.text
    assert _names_the_header(response)
    assert await row_counts(owner_connection) == before
    [row] = await rows_after(owner_connection, start)
    assert (row["operator"], row["outcome"], row["status_code"], row["subjects"]) == (
        CLERK,
        "refused",
        422,
        [],
    )


async def test_a_read_without_a_terminal_shows_no_one(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    [atena_no] = await register(client, token, person())
    start = await last_seq(owner_connection)

    response = await client.get(
        f"/residents/{atena_no}", headers=_without_terminal(token, "viewer01", "viewer", None)
    )

    assert is_problem(response, 422), response.text
    assert "record" not in response.json()
    [row] = await rows_after(owner_connection, start)
    assert (row["operator"], row["outcome"], row["status_code"]) == ("viewer01", "refused", 422)


async def test_authentication_is_checked_before_the_terminal(
    client: httpx.AsyncClient, owner_connection: Any
) -> None:
    before = await row_counts(owner_connection)

    response = await client.post("/changes", json=move_in(person()))

    assert is_problem(response, 401), response.text
    assert await row_counts(owner_connection) == before


async def test_health_and_documentation_need_no_terminal(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/readyz", "/openapi.json"):
        assert (await client.get(path)).status_code == 200, path


async def test_a_bad_change_date_is_explained_in_the_detail_without_echoing_it(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    before = await row_counts(owner_connection)
    body = {**move_in(person()), "occurred_on": SECRET_DATE}

    response = await client.post("/changes", json=body, headers=_clerk(token))

    assert is_problem(response, 422), response.text
    detail = response.json()["detail"]
    assert "occurred_on: 年月日として読めません" in detail
    assert "Value error" not in response.text
    assert SECRET_DATE not in response.text
    assert await row_counts(owner_connection) == before


def _clerk(token: TokenFactory) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(CLERK, 'clerk')}", HEADER: "counter-01"}
