"""ログの分析 (spec 10.2) on real PostgreSQL: off-hours, mass searches, 個人番号, failed logins.

The app's clock is controlled, so accesses happen at chosen Japanese times. The access log cannot
be emptied, so every test names its operators with a fresh run id (or looks only at rows after the
highest sequence number it saw at the start) and ignores everybody else's rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest
from registry.config import Settings
from registry.entrypoints.api.app import create_app

from .audit_helpers import last_seq
from .helpers import (
    TokenFactory,
    auth,
    enter_and_approve,
    family,
    is_problem,
    move_in,
    my_number,
    person,
)

JST = ZoneInfo("Asia/Tokyo")
ENDPOINTS = (
    "/audit/access-log",
    "/audit/off-hours",
    "/audit/mass-searches",
    "/audit/my-number-access",
    "/audit/failed-authentications",
)


class Clock:
    """The registry's clock: a chosen instant, or the real time when none is set."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or datetime.now(UTC)


class Api:
    """The real app (with its lifespan) behind an httpx client, with a controllable clock."""

    def __init__(self, http: httpx.AsyncClient, clock: Clock, token: TokenFactory) -> None:
        self.http = http
        self.clock = clock
        self.token = token
        self.run = uuid4().hex[:8]

    def staff(self, name: str) -> str:
        """Return a staff id unique to this test run."""
        return f"{name}-{self.run}"

    async def search_at(self, at: datetime, operator: str, **params: Any) -> list[str]:
        """Search residents as `operator` at `at`; return the 宛名番号 found."""
        self.clock.at = at
        try:
            response = await self.http.get(
                "/residents",
                params=params or {"kana": "ヤマダ"},
                headers=auth(self.token, operator, "viewer"),
            )
        finally:
            self.clock.at = None
        assert response.status_code == 200, response.text
        return [item["atena_no"] for item in response.json()["items"]]

    async def audit(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Read every page of an auditor's list."""
        headers = auth(self.token, self.staff("auditor"), "auditor")
        rows: list[dict[str, Any]] = []
        while True:
            page = {**params, "limit": 1000, "offset": len(rows)}
            response = await self.http.get(path, params=page, headers=headers)
            assert response.status_code == 200, response.text
            rows.extend(response.json())
            if len(response.json()) < 1000:
                return rows

    def mine(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Keep the rows of this run's operators, except the auditor's own reads of the log."""
        auditor = self.staff("auditor")
        return [
            r
            for r in rows
            if (r["operator"] or "").endswith(f"-{self.run}") and r["operator"] != auditor
        ]


@pytest.fixture
async def api(settings: Settings, token: TokenFactory, clean_db: None) -> AsyncIterator[Api]:
    """Start the app, then put the registry's clock under the test's control."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        clock = Clock()
        app.state.registry.clock = clock
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            yield Api(http, clock, token)


def _window(start: datetime, end: datetime) -> dict[str, str]:
    return {"from": start.isoformat(), "to": end.isoformat()}


def _around_now() -> dict[str, str]:
    now = datetime.now(UTC)
    return _window(now - timedelta(hours=1), now + timedelta(hours=1))


# ---- 深夜・休業日におけるアクセス一覧 ---------------------------------------------------------------

OFF_HOURS = {
    "night": datetime(2026, 11, 5, 2, 0, tzinfo=JST),  # Thursday 02:00 (17:00 UTC the day before)
    "sunday": datetime(2026, 11, 8, 10, 0, tzinfo=JST),
    "saturday": datetime(2026, 11, 7, 10, 0, tzinfo=JST),
    "bunka_no_hi": datetime(2026, 11, 3, 10, 0, tzinfo=JST),  # 文化の日, a Tuesday
    "kokumin_no_kyujitsu": datetime(2026, 9, 22, 10, 0, tzinfo=JST),  # between two holidays
    "year_end": datetime(2026, 12, 30, 10, 0, tzinfo=JST),  # 年末年始, a Wednesday
    "new_year": datetime(2027, 1, 3, 10, 0, tzinfo=JST),
    "before_opening": datetime(2026, 11, 4, 8, 29, 59, tzinfo=JST),
    "at_closing": datetime(2026, 11, 4, 17, 15, tzinfo=JST),
}
OFFICE_HOURS = {
    "ordinary": datetime(2026, 11, 4, 10, 0, tzinfo=JST),  # Wednesday
    "at_opening": datetime(2026, 11, 4, 8, 30, tzinfo=JST),
    "last_second": datetime(2026, 11, 4, 17, 14, 59, tzinfo=JST),
    # Tuesday morning in Tokyo, still 勤労感謝の日 (a Monday) in UTC
    "after_holiday": datetime(2026, 11, 24, 8, 45, tzinfo=JST),
    "work_resumes": datetime(2027, 1, 4, 10, 0, tzinfo=JST),  # Monday after 年末年始
}


async def test_accesses_at_night_at_weekends_and_on_closed_days_are_listed(api: Api) -> None:
    for name, at in {**OFF_HOURS, **OFFICE_HOURS}.items():
        await api.search_at(at, api.staff(name))

    rows = await api.audit(
        "/audit/off-hours",
        **_window(datetime(2026, 9, 1, tzinfo=JST), datetime(2027, 2, 1, tzinfo=JST)),
    )

    listed = {r["operator"].removesuffix(f"-{api.run}"): r for r in api.mine(rows)}
    assert sorted(listed) == sorted(OFF_HOURS)
    for name, row in listed.items():
        assert datetime.fromisoformat(row["occurred_at"]) == OFF_HOURS[name]
        assert row["function"] == "search_residents"


async def test_the_off_hours_list_keeps_to_its_window(api: Api) -> None:
    await api.search_at(OFF_HOURS["sunday"], api.staff("sunday"))
    await api.search_at(OFF_HOURS["year_end"], api.staff("year_end"))

    rows = await api.audit(
        "/audit/off-hours",
        **_window(datetime(2026, 11, 8, tzinfo=JST), datetime(2026, 11, 9, tzinfo=JST)),
    )

    assert [r["operator"] for r in api.mine(rows)] == [api.staff("sunday")]


async def test_times_without_an_offset_are_japan_time(api: Api) -> None:
    await api.search_at(OFF_HOURS["sunday"], api.staff("sunday"))  # 10:00 JST = 01:00 UTC

    japan = await api.audit(
        "/audit/off-hours", **{"from": "2026-11-08T09:30:00", "to": "2026-11-08T10:30:00"}
    )
    mixed = await api.audit(
        "/audit/off-hours", **{"from": "2026-11-08T09:30:00", "to": "2026-11-08T01:30:00Z"}
    )
    utc = await api.audit(
        "/audit/off-hours", **{"from": "2026-11-08T09:30:00Z", "to": "2026-11-08T10:30:00Z"}
    )

    assert [r["operator"] for r in api.mine(japan)] == [api.staff("sunday")]
    assert [r["operator"] for r in api.mine(mixed)] == [api.staff("sunday")]
    assert api.mine(utc) == []


# ---- 大量検索実行一覧 ---------------------------------------------------------------------------


async def test_an_operator_searching_many_times_in_an_hour_is_flagged(
    api: Api, token: TokenFactory
) -> None:
    people = sorted((await enter_and_approve(api.http, token, move_in(*family())))["subjects"])
    ten = datetime(2026, 11, 4, 10, 0, tzinfo=JST)
    for minute in (0, 10, 20, 30, 40):
        assert (
            sorted(await api.search_at(ten + timedelta(minutes=minute), api.staff("heavy")))
            == people
        )
    for minute in (5, 15, 25, 35):  # one short of the threshold, though each finds three people
        await api.search_at(ten + timedelta(minutes=minute), api.staff("light"))
    for minute in (45, 50, 55, 65, 70):  # five searches, but over two hours
        await api.search_at(ten + timedelta(minutes=minute), api.staff("spread"))
    for minute in (1, 2, 3, 4, 6):  # five record views are not searches
        api.clock.at = ten + timedelta(minutes=minute)
        viewed = await api.http.get(
            f"/residents/{people[0]}", headers=auth(token, api.staff("viewer"), "viewer")
        )
        api.clock.at = None
        assert viewed.status_code == 200, viewed.text

    response = await api.http.get(
        "/audit/mass-searches",
        params={
            **_window(datetime(2026, 11, 4, tzinfo=JST), datetime(2026, 11, 5, tzinfo=JST)),
            "threshold": 5,
        },
        headers=auth(token, api.staff("auditor"), "auditor"),
    )

    assert response.status_code == 200, response.text
    assert api.mine(response.json()) == [
        {
            "operator": api.staff("heavy"),
            "hour_local": "2026-11-04T10:00:00+09:00",
            "searches": 5,
            "people": 3,
        }
    ]


async def test_searches_by_my_number_count_towards_mass_searches(
    api: Api, token: TokenFactory
) -> None:
    number = my_number("24680135790")
    (atena,) = (await enter_and_approve(api.http, token, move_in(person(my_number=number))))[
        "subjects"
    ]
    ten = datetime(2026, 11, 4, 10, 0, tzinfo=JST)
    reviewer = api.staff("reviewer")
    for minute in (0, 10, 20):
        await api.search_at(ten + timedelta(minutes=minute), reviewer)
    for minute in (30, 40):  # the same operator's searches by 個人番号 (POST) in the same hour
        api.clock.at = ten + timedelta(minutes=minute)
        found = await api.http.post(
            "/residents/search/by-my-number",
            json={"my_number": number},
            headers=auth(token, reviewer, "reviewer"),
        )
        api.clock.at = None
        assert [r["atena_no"] for r in found.json()["items"]] == [atena], found.text

    response = await api.http.get(
        "/audit/mass-searches",
        params={
            **_window(datetime(2026, 11, 4, tzinfo=JST), datetime(2026, 11, 5, tzinfo=JST)),
            "threshold": 5,
        },
        headers=auth(token, api.staff("auditor"), "auditor"),
    )

    assert response.status_code == 200, response.text
    assert [(r["operator"], r["searches"]) for r in api.mine(response.json())] == [(reviewer, 5)]


# ---- 個人番号へのアクセス一覧 / ログイン失敗一覧 ----------------------------------------------------


async def test_my_number_displays_are_listed(
    api: Api, token: TokenFactory, owner_connection: Any
) -> None:
    start = await last_seq(owner_connection)
    number = my_number("98765432109")
    change = await enter_and_approve(api.http, token, move_in(person(my_number=number)))
    (atena,) = change["subjects"]
    path = f"/residents/{atena}"

    shown = await api.http.get(
        path,
        params={"show_my_number": "true"},
        headers=auth(token, api.staff("reviewer"), "reviewer"),
    )
    plain = await api.http.get(path, headers=auth(token, api.staff("viewer"), "viewer"))

    assert shown.status_code == 200, shown.text
    assert shown.json()["record"]["my_number"] == number
    assert plain.status_code == 200, plain.text
    rows = [
        r for r in await api.audit("/audit/my-number-access", **_around_now()) if r["seq"] > start
    ]
    assert [
        (r["operator"], r["function"], r["subjects"], r["my_number_accessed"]) for r in rows
    ] == [
        ("clerk01", "submit_change", [], True),  # the 個人番号 was typed in
        (api.staff("reviewer"), "get_resident", [atena], True),
    ]


async def test_failed_authentications_are_listed(
    api: Api, token: TokenFactory, owner_connection: Any
) -> None:
    start = await last_seq(owner_connection)
    terminal = api.staff("terminal")

    for authorization in ("Bearer not-a-jwt", "Bearer ", "Basic dXNlcjpwYXNz"):
        response = await api.http.get(
            "/residents",
            params={"kana": "ヤマダ"},
            headers={"Authorization": authorization, "X-Jumin-Terminal": terminal},
        )
        assert response.status_code == 401, (authorization, response.text)
    missing = await api.http.get("/residents", params={"kana": "ヤマダ"})
    assert missing.status_code == 401
    await api.search_at(datetime.now(UTC), api.staff("viewer"))

    rows = [
        r
        for r in await api.audit("/audit/failed-authentications", **_around_now())
        if r["seq"] > start
    ]

    assert [(r["operator"], r["terminal"], r["outcome"], r["status_code"]) for r in rows] == [
        (None, terminal, "unauthenticated", 401),
        (None, terminal, "unauthenticated", 401),
        (None, terminal, "unauthenticated", 401),
        (None, None, "unauthenticated", 401),
    ]


# ---- ranges and roles ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_a_range_longer_than_a_year_or_backwards_is_refused(api: Api, path: str) -> None:
    headers = auth(api.token, api.staff("auditor"), "auditor")
    too_long = _window(datetime(2025, 1, 1, tzinfo=JST), datetime(2026, 1, 3, tzinfo=JST))
    backwards = _window(datetime(2026, 2, 1, tzinfo=JST), datetime(2026, 1, 1, tzinfo=JST))
    empty = _window(datetime(2026, 2, 1, tzinfo=JST), datetime(2026, 2, 1, tzinfo=JST))
    leap_year = _window(datetime(2028, 1, 1, tzinfo=JST), datetime(2029, 1, 1, tzinfo=JST))

    for params in (too_long, backwards, empty):
        response = await api.http.get(path, params=params, headers=headers)
        assert is_problem(response, 422), (params, response.text)
    assert (await api.http.get(path, params=leap_year, headers=headers)).status_code == 200
    missing = await api.http.get(path, headers=headers)
    assert is_problem(missing, 422)


@pytest.mark.parametrize("path", [*ENDPOINTS, "/audit/access-log/verify"])
async def test_only_auditors_may_read_the_log(
    api: Api, token: TokenFactory, owner_connection: Any, path: str
) -> None:
    params = _around_now()
    for role in ("viewer", "clerk", "reviewer", "issuer", "admin", "support_officer"):
        response = await api.http.get(
            path, params=params, headers=auth(token, api.staff(role), role)
        )
        assert is_problem(response, 403), (role, response.text)
    assert is_problem(await api.http.get(path, params=params), 401)
    start = await last_seq(owner_connection)

    allowed = await api.http.get(
        path, params=params, headers=auth(token, api.staff("auditor"), "auditor")
    )

    assert allowed.status_code == 200, allowed.text
    record = await owner_connection.fetchrow(
        "SELECT operator, outcome, subjects FROM registry.access_log WHERE seq = $1", start + 1
    )
    assert dict(record) == {"operator": api.staff("auditor"), "outcome": "ok", "subjects": []}
