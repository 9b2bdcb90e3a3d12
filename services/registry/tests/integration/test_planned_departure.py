"""転出予定者 on real PostgreSQL: a 転出 approved ahead of its 転出予定日 (issue 11, item 2).

Until the 予定日 every default read (record, search, household, the 仮登録一覧) shows the person
as a resident with a 転出予定 mark and the planned date; from that day they are removed. The
registry's clock is injected and moved, never slept on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from registry.bootstrap import Overrides
from registry.config import Settings
from registry.domain.register_time import WARD_TIME
from registry.entrypoints.api.app import create_app

from .helpers import (
    CLERK,
    TokenFactory,
    auth,
    by_given_name,
    enter_and_approve,
    family,
    move_in,
    move_within_ward,
    my_number,
    search,
    submit,
    view,
)

DESTINATION = "東京都中野区中野一丁目1番1号"


class MovableClock:
    """The registry's clock, which a test sets to any moment (Asia/Tokyo)."""

    def __init__(self) -> None:
        self.now = datetime.now(WARD_TIME)

    def __call__(self) -> datetime:
        return self.now

    @property
    def today(self) -> date:
        return self.now.date()

    def move_to(self, day: date, at: time = time(0, 30)) -> None:
        """Move to a day's early morning (before the office opens: still that calendar day)."""
        self.now = datetime.combine(day, at, tzinfo=WARD_TIME)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def client(
    settings: Settings, clean_db: None, clock: MovableClock
) -> AsyncIterator[httpx.AsyncClient]:
    """Serve the app with the movable clock."""
    app = create_app(settings, Overrides(clock=clock))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            yield http


async def _record(
    client: httpx.AsyncClient, token: TokenFactory, atena_no: str, **params: Any
) -> Any:
    response = await view(client, token, f"/residents/{atena_no}", **params)
    assert response.status_code == 200, response.text
    return response.json()


async def _pending_list(client: httpx.AsyncClient, token: TokenFactory) -> list[Any]:
    response = await client.get(
        "/changes", params={"status": "pending"}, headers=auth(token, CLERK, "clerk")
    )
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


@pytest.fixture
async def leaving(
    client: httpx.AsyncClient, token: TokenFactory, clock: MovableClock
) -> dict[str, Any]:
    """The 山田 family; 太郎 and 花子 file a 国内転出 for tomorrow, approved today; 一郎 stays."""
    members = await by_given_name(
        client, token, await enter_and_approve(client, token, move_in(*family()))
    )
    planned = clock.today + timedelta(days=1)
    ids = {name: members[name]["atena_no"] for name in ("太郎", "花子", "一郎")}
    await enter_and_approve(
        client,
        token,
        {
            "kind": "domestic_move_out",
            "occurred_on": planned.isoformat(),
            "notified_on": clock.today.isoformat(),
            "atena_nos": [ids["太郎"], ids["花子"]],
            "destination": DESTINATION,
        },
    )
    return {
        **ids,
        "planned": planned,
        "household_no": members["太郎"]["record"]["household_no"],
    }


def _marked(shown: Any, planned: date) -> bool:
    departure = shown["departure"]
    return departure == {
        "kind": "domestic_move_out",
        "kind_name": "国内転出",
        "planned_on": planned.isoformat(),
        "destination": DESTINATION,
    }


async def test_before_the_planned_day_the_record_shows_a_resident_about_to_leave(
    client: httpx.AsyncClient, token: TokenFactory, leaving: dict[str, Any]
) -> None:
    shown = await _record(client, token, leaving["太郎"])

    assert shown["record"]["status"] == "resident"
    assert shown["record"]["is_head"] is True
    assert _marked(shown, leaving["planned"])
    assert (await _record(client, token, leaving["一郎"]))["departure"] is None
    today = leaving["planned"] - timedelta(days=1)  # the ward's today (Asia/Tokyo)
    explicit = await _record(client, token, leaving["太郎"], on=today.isoformat())
    assert explicit == shown, "the default read and ?on=today agree"
    before_filing = await _record(
        client, token, leaving["太郎"], on=(today - timedelta(days=1)).isoformat()
    )
    assert before_filing["departure"] is None, "the day before the 届出 nothing was planned"


async def test_before_the_planned_day_search_finds_them_as_residents_with_the_mark(
    client: httpx.AsyncClient, token: TokenFactory, leaving: dict[str, Any]
) -> None:
    page = await search(client, token, kana="ヤマダ")

    found = {item["atena_no"]: item for item in page["items"]}
    assert set(found) == {leaving["太郎"], leaving["花子"], leaving["一郎"]}
    assert {item["record"]["status"] for item in found.values()} == {"resident"}
    assert _marked(found[leaving["太郎"]], leaving["planned"])
    assert _marked(found[leaving["花子"]], leaving["planned"])
    assert found[leaving["一郎"]]["departure"] is None


async def test_before_the_planned_day_the_household_still_has_its_head_and_three_members(
    client: httpx.AsyncClient, token: TokenFactory, leaving: dict[str, Any]
) -> None:
    response = await view(client, token, f"/households/{leaving['household_no']}")

    assert response.status_code == 200, response.text
    members = {m["atena_no"]: m for m in response.json()["members"]}
    assert next(iter(members)) == leaving["太郎"], "the head first, still 太郎"
    assert len(members) == 3
    assert _marked(members[leaving["太郎"]], leaving["planned"])
    assert members[leaving["一郎"]]["record"]["relationship"] == "子"


async def test_the_pending_list_shows_a_person_about_to_leave_as_a_resident_with_the_mark(
    client: httpx.AsyncClient, token: TokenFactory, leaving: dict[str, Any]
) -> None:
    await submit(
        client,
        token,
        {
            "kind": "my_number_entry",
            "occurred_on": (leaving["planned"] - timedelta(days=1)).isoformat(),
            "atena_no": leaving["太郎"],
            "my_number": my_number("12345678901"),
        },
    )

    [pending] = await _pending_list(client, token)

    [subject] = pending["subjects_now"]
    assert subject["atena_no"] == leaving["太郎"]
    assert subject["status"] == "resident"
    assert subject["departure"]["planned_on"] == leaving["planned"].isoformat()


async def test_a_change_for_a_person_about_to_leave_asks_to_cancel_the_move_out_first(
    client: httpx.AsyncClient, token: TokenFactory, leaving: dict[str, Any]
) -> None:
    today = (leaving["planned"] - timedelta(days=1)).isoformat()
    response = await client.post(
        "/changes",
        json=move_within_ward([leaving["花子"]], occurred_on=today, notified_on=today),
        headers=auth(token, CLERK, "clerk"),
    )

    assert response.status_code == 409, response.text
    assert "転出予定者" in response.json()["detail"]


async def test_from_the_planned_day_on_they_are_removed_everywhere(
    client: httpx.AsyncClient,
    token: TokenFactory,
    leaving: dict[str, Any],
    clock: MovableClock,
) -> None:
    clock.move_to(leaving["planned"])

    shown = await _record(client, token, leaving["太郎"])
    assert shown["record"]["status"] == "removed"
    assert shown["departure"] is None
    day_before = leaving["planned"] - timedelta(days=1)
    earlier = await _record(client, token, leaving["太郎"], on=day_before.isoformat())
    assert earlier["record"]["status"] == "resident", "the day before, still a resident"

    page = await search(client, token, kana="ヤマダ")
    assert [item["atena_no"] for item in page["items"]] == [leaving["一郎"]]
    with_removed = await search(client, token, kana="ヤマダ", include_removed="true")
    statuses = {item["atena_no"]: item["record"]["status"] for item in with_removed["items"]}
    assert statuses[leaving["花子"]] == "removed"

    response = await view(client, token, f"/households/{leaving['household_no']}")
    [only] = response.json()["members"]
    assert (only["atena_no"], only["record"]["is_head"]) == (leaving["一郎"], True)
