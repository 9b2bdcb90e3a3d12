"""個人番号の変更 and 住民票コードの変更 on real PostgreSQL (issue 11, item 4; spec 4.3.2, 4.4, 7.1.2.1).

What is proven:

- 個人番号の変更請求 (本人) and 職権による変更 are changes like any other: pending until a different
  member of staff approves them; approval records the request and tells CS (`cs.my_number_change`,
  the 変更要求), while the record keeps its number until J-LIS answers;
- the answer (`registry.my_number_assigned` with the new number) is recorded like the first
  number: a 個人番号の職権記載, the new number found by the keyed hash and sent to CS, the old one
  no longer found;
- 住民票コードの変更 (住基法30条の4) draws the new code from the pool at approval, keeps the old one
  in the previous history row, and tells CS which code it replaces; with no free code it is not
  approved and nothing changes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from jumin_contracts.commands import FreeCodesReceived, MyNumberAssigned
from registry.bootstrap import Registry
from registry.service_layer.command_handlers import Outcome, apply_command

from .helpers import (
    CLERK,
    REVIEWER,
    Body,
    TokenFactory,
    approve,
    auth,
    enter_and_approve,
    is_problem,
    juminhyo_code,
    move_in,
    my_number,
    outbox_messages,
    person,
    submit,
    view,
)

CODE = juminhyo_code("1357924680")
NUMBER = my_number("24681357913")
NEW_NUMBER = my_number("97531864200")
POOLED = [juminhyo_code(f"70000000{i:02d}") for i in range(3)]


def today() -> str:
    return date.today().isoformat()


def change_request(atena_no: str) -> Body:
    return {
        "kind": "my_number_change_request",
        "occurred_on": today(),
        "notified_on": today(),
        "atena_no": atena_no,
        "reason": "個人番号が漏えいして不正に用いられるおそれがあるため",
    }


def code_change(atena_no: str) -> Body:
    return {
        "kind": "juminhyo_code_change",
        "occurred_on": today(),
        "notified_on": today(),
        "atena_no": atena_no,
    }


@pytest.fixture
async def taro(client: httpx.AsyncClient, token: TokenFactory) -> str:
    """A resident with a 住民票コード and a 個人番号."""
    change = await enter_and_approve(
        client, token, move_in(person(juminhyo_code=CODE, my_number=NUMBER))
    )
    (atena_no,) = change["subjects"]
    return str(atena_no)


async def _history(client: httpx.AsyncClient, token: TokenFactory, atena_no: str) -> list[Any]:
    response = await view(client, token, f"/residents/{atena_no}/history")
    assert response.status_code == 200, response.text
    rows: list[Any] = response.json()
    return rows


async def _found_by_number(
    client: httpx.AsyncClient, token: TokenFactory, number: str
) -> list[str]:
    response = await client.post(
        "/residents/search/by-my-number",
        json={"my_number": number},
        headers=auth(token, REVIEWER, "reviewer"),
    )
    assert response.status_code == 200, response.text
    return [item["atena_no"] for item in response.json()["items"]]


async def test_a_change_request_asks_cs_for_a_new_number_and_records_the_answer_like_the_first(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry, taro: str
) -> None:
    pending = await submit(client, token, change_request(taro))
    assert await outbox_messages(registry, pending["change_id"], "cs.my_number_change") == []

    approved = await approve(client, token, pending["change_id"])

    [request] = await outbox_messages(registry, approved["change_id"], "cs.my_number_change")
    assert request.payload == {
        "juminhyo_code": CODE,
        "change_kind": "my_number_change_request",
        "occurred_on": today(),
    }
    assert await outbox_messages(registry, approved["change_id"], "cs.identity") == []
    rows = await _history(client, token, taro)
    assert [r["change_kind"] for r in rows] == ["domestic_move_in", "my_number_change_request"]
    assert await _found_by_number(client, token, NUMBER) == [taro], "kept until J-LIS answers"

    result = await apply_command(
        uow=registry.uow(),
        command=MyNumberAssigned(
            command_id=uuid4(),
            sent_at=datetime.now().astimezone(),
            juminhyo_code=CODE,
            my_number=NEW_NUMBER,
        ),
        clock=registry.clock,
        addresses=registry.addresses,
        access_log=registry.access_log,
    )

    assert result.outcome is Outcome.APPLIED
    assert [r["change_kind"] for r in await _history(client, token, taro)][-1] == "my_number_entry"
    assert await _found_by_number(client, token, NEW_NUMBER) == [taro]
    assert await _found_by_number(client, token, NUMBER) == []
    [identity] = await outbox_messages(registry, str(result.change_ids[0]), "cs.identity")
    assert identity.payload["my_number"] == NEW_NUMBER


async def test_an_ex_officio_change_has_no_filing_date_and_needs_another_approver(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry, taro: str
) -> None:
    body = {**change_request(taro), "kind": "my_number_ex_officio_change"}
    with_date = await client.post("/changes", json=body, headers=auth(token, CLERK, "clerk"))
    assert is_problem(with_date, 422), with_date.text
    del body["notified_on"]
    pending = await submit(client, token, body)

    own = await client.post(
        f"/changes/{pending['change_id']}/approve", headers=auth(token, CLERK, "reviewer")
    )

    assert is_problem(own, 403), own.text
    assert await outbox_messages(registry, pending["change_id"], "cs.my_number_change") == []
    approved = await approve(client, token, pending["change_id"])
    [row] = (await _history(client, token, taro))[-1:]
    assert (row["change_kind"], row["ex_officio"]) == ("my_number_ex_officio_change", True)
    assert len(await outbox_messages(registry, approved["change_id"], "cs.my_number_change")) == 1


async def test_a_number_change_for_someone_without_a_number_is_refused(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    change = await enter_and_approve(client, token, move_in(person(juminhyo_code=CODE)))
    (atena_no,) = change["subjects"]

    response = await client.post(
        "/changes", json=change_request(atena_no), headers=auth(token, CLERK, "clerk")
    )

    assert is_problem(response, 409), response.text
    assert "個人番号が記載されていない" in response.json()["detail"]


async def _pool(registry: Registry, codes: list[str]) -> None:
    result = await apply_command(
        uow=registry.uow(),
        command=FreeCodesReceived(
            command_id=uuid4(), sent_at=datetime.now().astimezone(), codes=codes
        ),
        clock=registry.clock,
        addresses=registry.addresses,
    )
    assert result.outcome is Outcome.APPLIED


async def test_a_code_change_takes_a_new_code_from_the_pool_and_tells_cs_the_old_one(
    client: httpx.AsyncClient,
    token: TokenFactory,
    registry: Registry,
    owner_connection: Any,
    taro: str,
) -> None:
    await _pool(registry, POOLED)

    approved = await enter_and_approve(client, token, code_change(taro))

    rows = await _history(client, token, taro)
    new_code = rows[-1]["record"]["juminhyo_code"]
    assert new_code in POOLED
    assert (rows[-2]["record"]["juminhyo_code"], rows[-1]["change_kind"]) == (
        CODE,
        "juminhyo_code_change",
    )
    assigned = await owner_connection.fetchval(
        "SELECT assigned_to_atena_no FROM registry.juminhyo_code_pool WHERE code = $1", new_code
    )
    assert assigned == taro
    [identity] = await outbox_messages(registry, approved["change_id"], "cs.identity")
    assert (identity.payload["juminhyo_code"], identity.payload["previous_juminhyo_code"]) == (
        new_code,
        CODE,
    )
    search = await view(client, token, "/residents", juminhyo_code=new_code)
    assert [item["atena_no"] for item in search.json()["items"]] == [taro]


async def test_a_code_change_with_no_free_code_waits_and_changes_nothing(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry, taro: str
) -> None:
    pending = await submit(client, token, code_change(taro))

    response = await client.post(
        f"/changes/{pending['change_id']}/approve", headers=auth(token, REVIEWER, "reviewer")
    )

    assert is_problem(response, 409), response.text
    assert "住民票コードの在庫がありません" in response.json()["detail"]
    assert len(await _history(client, token, taro)) == 1
    still = await client.get(
        f"/changes/{pending['change_id']}", headers=auth(token, REVIEWER, "reviewer")
    )
    assert still.json()["status"] == "pending"
    await _pool(registry, POOLED[:1])
    await approve(client, token, pending["change_id"])
    assert (await _history(client, token, taro))[-1]["record"]["juminhyo_code"] == POOLED[0]
