"""Bad input on real PostgreSQL: a clear 4xx problem+json, never a 500, and nothing written."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from jumin_contracts.check_digits import make_atena_no
from registry.bootstrap import ward_now

from .helpers import (
    CLERK,
    REVIEWER,
    Body,
    TokenFactory,
    approve,
    auth,
    death,
    enter_and_approve,
    family,
    is_problem,
    move_in,
    move_within_ward,
    my_number,
    person,
    row_counts,
    submit,
    view,
)

TODAY = ward_now().date()  # the ward's today (Asia/Tokyo), not the machine's
TOMORROW = TODAY + timedelta(days=1)
NOBODY = make_atena_no(999_999)


@pytest.fixture
async def household(client: httpx.AsyncClient, token: TokenFactory) -> dict[str, str]:
    """Register a family of three; return 宛名番号 by 名 and the 世帯番号 as 'household'."""
    change = await enter_and_approve(client, token, move_in(*family()))
    numbers: dict[str, str] = {}
    for atena_no in change["subjects"]:
        record = (await view(client, token, f"/residents/{atena_no}")).json()["record"]
        numbers[record["given_name"]] = atena_no
        numbers["household"] = record["household_no"]
    return numbers


async def _refused(
    owner_connection: Any, send: Callable[[], Awaitable[httpx.Response]], *statuses: int
) -> httpx.Response:
    """Send a request; check it is refused with a problem and left the register as it was."""
    before = await row_counts(owner_connection)
    response = await send()
    assert response.status_code in statuses, response.text
    assert is_problem(response, response.status_code), response.text
    assert await row_counts(owner_connection) == before
    return response


def _with_person(**items: Any) -> Body:
    return move_in(person(**items))


BAD_CHANGES: dict[str, Callable[[dict[str, str]], Body]] = {
    "unknown town": lambda _: move_in(address="東京都新宿区霞ヶ関一丁目1番1号"),
    "address in another ward": lambda _: move_in(address="東京都渋谷区道玄坂1-1"),
    "no address at all": lambda _: move_in(address="   "),
    "previous address inside the ward": lambda _: {
        **move_in(),
        "previous_address": "東京都新宿区西新宿二丁目8番1号",
    },
    "previous address nowhere": lambda _: {**move_in(), "previous_address": "どこか遠く"},
    "chome that does not exist": lambda _: move_in(address="西新宿百丁目1番1号"),
    "NUL in an address": lambda _: move_in(address="西新宿二丁目8番1号\x00"),
    "NUL in a name": lambda _: _with_person(family_name="山\x00田"),
    "NUL in a relationship": lambda _: move_in(person(), person(relationship="\x00")),
    "kanji in a kana field": lambda _: _with_person(family_name_kana="山田"),
    "latin letters in a kana field": lambda _: _with_person(given_name_kana="Taro"),
    "bad My Number check digit": lambda _: _with_person(
        my_number=my_number("62149832025")[:-1] + "9"
    ),
    "My Number too short": lambda _: _with_person(my_number="12345678901"),
    "bad juminhyo code check digit": lambda _: _with_person(juminhyo_code="12345678901"),
    "future change date": lambda _: move_in(
        occurred_on=TOMORROW.isoformat(), notified_on=TODAY.isoformat()
    ),
    "future filing date": lambda _: move_in(notified_on=TOMORROW.isoformat()),
    "filed before it happened": lambda _: move_in(
        occurred_on="2024-04-10", notified_on="2024-04-01"
    ),
    "future birth date": lambda _: _with_person(birth_date=TOMORROW.isoformat()),
    "birth date before Meiji": lambda _: _with_person(birth_date="1850-01-01"),
    "change date before Meiji": lambda _: move_in(occurred_on="1800-01-01"),
    "impossible date": lambda _: move_in(occurred_on="2024-13-45"),
    "unreadable date": lambda _: move_in(occurred_on="きのう"),
    "no filing date on a filed change": lambda _: {**move_in(), "notified_on": None},
    "unknown field": lambda _: {**move_in(), "priority": "high"},
    "unknown field on a person": lambda _: _with_person(nickname="たろちゃん"),
    "unknown kind": lambda _: {**move_in(), "kind": "teleport"},
    "no kind": lambda _: {k: v for k, v in move_in().items() if k != "kind"},
    "persons is text": lambda _: {**move_in(), "persons": "山田太郎"},
    "no persons": lambda _: {**move_in(), "persons": []},
    "number as a date": lambda _: {**move_in(), "occurred_on": 20240401},
    "boolean as a name": lambda _: _with_person(family_name=True),
    "unknown sex": lambda _: _with_person(sex="x"),
    "foreign resident without foreign items": lambda _: _with_person(
        resident_type="foreign", honseki=None, hittosha=None
    ),
    "no head in a new household": lambda _: _with_person(relationship="子"),
    "unknown relationship": lambda _: move_in(person(), person(relationship="友達")),
    "two heads": lambda _: move_in(person(), person("山田", "次郎", "ヤマダ", "ジロウ")),
    "a list instead of an object": lambda _: [move_in()],  # type: ignore[dict-item, return-value]
    "move for a nonexistent person": lambda _: move_within_ward([NOBODY]),
    "malformed atena number": lambda _: move_within_ward(["12345"]),
    "move of part of a household without a head": lambda h: move_within_ward([h["一郎"]]),
    "move to the same address": lambda h: move_within_ward(
        [h["太郎"], h["花子"], h["一郎"]], address="西新宿二丁目8番1号"
    ),
    "move to the same address typed otherwise": lambda h: move_within_ward(
        [h["太郎"], h["花子"], h["一郎"]], address="新宿区西新宿２－８－１"
    ),
    "head moves out leaving two behind": lambda h: {
        "kind": "domestic_move_out",
        "occurred_on": TODAY.isoformat(),
        "notified_on": TODAY.isoformat(),
        "atena_nos": [h["太郎"]],
        "destination": "埼玉県川口市本町一丁目1番1号",
    },
    "head dies leaving two behind": lambda h: death(h["太郎"]),
    "cancelling a change that does not exist": lambda _: {
        "kind": "cancellation",
        "occurred_on": TODAY.isoformat(),
        "target_change_id": "00000000-0000-0000-0000-000000000000",
        "reason": "誤り",
    },
    "filing date on an ex-officio change": lambda h: {
        "kind": "ex_officio_amendment",
        "occurred_on": TODAY.isoformat(),
        "notified_on": TODAY.isoformat(),
        "atena_no": h["太郎"],
        "patch": {"given_name": "太朗"},
    },
    "a correction that changes nothing": lambda h: {
        "kind": "ex_officio_amendment",
        "occurred_on": TODAY.isoformat(),
        "atena_no": h["太郎"],
        "patch": {"given_name": "太郎"},
    },
}


@pytest.mark.parametrize("case", list(BAD_CHANGES))
async def test_a_bad_change_is_refused_with_a_problem_and_nothing_is_stored(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    household: dict[str, str],
    case: str,
) -> None:
    body = BAD_CHANGES[case](household)

    await _refused(
        owner_connection,
        lambda: client.post("/changes", json=body, headers=auth(token, CLERK, "clerk")),
        400,
        404,
        409,
        422,
    )


async def test_a_nonexistent_person_is_named_in_the_refusal(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    response = await _refused(
        owner_connection,
        lambda: client.post(
            "/changes", json=move_within_ward([NOBODY]), headers=auth(token, CLERK, "clerk")
        ),
        404,
        409,
    )

    assert NOBODY in response.json()["detail"]


async def test_the_head_leaving_two_members_behind_is_a_conflict(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    household: dict[str, str],
) -> None:
    response = await _refused(
        owner_connection,
        lambda: client.post(
            "/changes", json=death(household["太郎"]), headers=auth(token, CLERK, "clerk")
        ),
        409,
    )

    assert "世帯主" in response.json()["detail"]


@pytest.mark.parametrize(
    "content",
    [b'{"kind": "domestic_move_in", ', b"", b"null", b"\xff\xfe", "山田".encode()],
    ids=["truncated", "empty", "null", "not utf-8", "not json"],
)
async def test_a_body_that_is_not_a_change_is_refused(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any, content: bytes
) -> None:
    headers = {**auth(token, CLERK, "clerk"), "Content-Type": "application/json"}

    await _refused(
        owner_connection,
        lambda: client.post("/changes", content=content, headers=headers),
        400,
        422,
    )


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/residents/12345", {}),
        ("/residents/0000000019", {"on": "2024-02-30"}),
        ("/residents/0000000019", {"known_at": "yesterday"}),
        ("/residents", {"kana": "ヤマダ", "limit": 0}),
        ("/residents", {"kana": "ヤマダ", "limit": 10_000}),
        ("/residents", {"kana": "ヤマダ", "offset": -1}),
        ("/residents", {"birth_date": "1980-02-30"}),
        ("/residents", {"juminhyo_code": "abc"}),
        ("/residents", {"kana": "ア" * 61}),
        ("/households/abc", {}),
        ("/changes/not-a-uuid", {}),
        ("/changes", {"status": "bogus"}),
        ("/changes", {"created_by": "clerk\x00"}),
        ("/residents", {"name": "山\x00"}),
        ("/residents", {"kana": "\x00"}),
        ("/residents", {"address": "西新宿\x00"}),
    ],
)
async def test_bad_query_parameters_are_refused(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    path: str,
    params: dict[str, Any],
) -> None:
    headers = auth(token, "staff01", "viewer", "clerk")

    await _refused(
        owner_connection, lambda: client.get(path, params=params, headers=headers), 404, 422
    )


async def test_a_change_whose_grounds_are_gone_cannot_be_approved(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    alone = await enter_and_approve(client, token, move_in())
    atena_no = alone["subjects"][0]
    first = await submit(client, token, death(atena_no))
    second = await submit(client, token, death(atena_no, occurred_on="2025-02-02"))
    await approve(client, token, first["change_id"])

    await _refused(
        owner_connection,
        lambda: client.post(
            f"/changes/{second['change_id']}/approve", headers=auth(token, REVIEWER, "reviewer")
        ),
        409,
    )

    still = await client.get(
        f"/changes/{second['change_id']}", headers=auth(token, REVIEWER, "reviewer")
    )
    assert still.json()["status"] == "pending"
    history = (await view(client, token, f"/residents/{atena_no}/history")).json()
    assert [row["change_id"] for row in history] == [alone["change_id"], first["change_id"]]


async def test_two_reviewers_approving_conflicting_changes_at_once_get_one_success(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    alone = await enter_and_approve(client, token, move_in())
    atena_no = alone["subjects"][0]
    changes = [await submit(client, token, death(atena_no)) for _ in range(4)]

    responses = await asyncio.gather(
        *(
            client.post(
                f"/changes/{c['change_id']}/approve",
                headers=auth(token, f"reviewer{i:02d}", "reviewer"),
            )
            for i, c in enumerate(changes)
        )
    )

    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409]
    assert all(is_problem(r, 409) for r in responses if r.status_code != 200)
    history = (await view(client, token, f"/residents/{atena_no}/history")).json()
    assert [row["history_no"] for row in history] == [1, 2]
    assert await row_counts(owner_connection) == (5, 2, 1)
