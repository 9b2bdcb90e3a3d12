"""Role × endpoint matrix: every route admits exactly the roles written down, cell by cell.

The table below is the single source the tests check; `services/registry/README.md` shows the
same table to people and a test keeps the two in step.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from jumin_contracts.check_digits import make_atena_no
from jumin_platform.auth import Role
from registry.config import Settings
from registry.entrypoints.api.app import create_app

from .helpers import (
    Body,
    TokenFactory,
    auth,
    is_problem,
    move_in,
    my_number,
    row_counts,
    submit,
)

README = Path(__file__).resolve().parents[2] / "README.md"
SOMEONE = make_atena_no(999_999)
SOME_ID = "6f1c1d2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f"
PERIOD = {"from": "2025-01-01T00:00:00+09:00", "to": "2025-01-02T00:00:00+09:00"}
REASON = {"reason": "届出人の申出"}
RESOLVE = {"how": "no_action", "reason": "戸籍と一致"}

CLERK = frozenset({Role.CLERK})
REVIEWER = frozenset({Role.REVIEWER})
CHANGE_READERS = frozenset({Role.CLERK, Role.REVIEWER})
RECORD_READERS = frozenset({Role.VIEWER, Role.CLERK, Role.REVIEWER})
MY_NUMBER_READERS = frozenset({Role.REVIEWER})
SUPPORT_OFFICER = frozenset({Role.SUPPORT_OFFICER})
AUDITOR = frozenset({Role.AUDITOR})
ADMIN = frozenset({Role.ADMIN})
GAIJI_READERS = frozenset({Role.ADMIN, Role.CLERK, Role.REVIEWER, Role.VIEWER})
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Endpoint:
    """One route, the roles it admits, and a syntactically valid request to it."""

    method: str
    path: str
    allowed: frozenset[Role]
    params: dict[str, str] = field(default_factory=dict)
    body: Body | None = None
    public: bool = False

    def url(self, *, change_id: str = SOME_ID) -> str:
        """Fill the path's parameters with valid values (the target need not exist)."""
        return (
            self.path.replace("{change_id}", change_id)
            .replace("{measure_id}", SOME_ID)
            .replace("{work_item_id}", SOME_ID)
            .replace("{atena_no}", SOMEONE)
            .replace("{household_no}", SOMEONE)
        )

    @property
    def route(self) -> tuple[str, str]:
        """Return (method, path template) as FastAPI names the route."""
        return self.method, self.path

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


MATRIX = (
    Endpoint("POST", "/changes", CLERK, body=move_in()),
    Endpoint("GET", "/changes", CHANGE_READERS),
    Endpoint("GET", "/changes/{change_id}", CHANGE_READERS),
    Endpoint("PUT", "/changes/{change_id}", CLERK, body=move_in()),
    Endpoint("POST", "/changes/{change_id}/withdraw", CLERK, body=REASON),
    Endpoint("POST", "/changes/{change_id}/approve", REVIEWER),
    Endpoint("POST", "/changes/{change_id}/reject", REVIEWER, body=REASON),
    Endpoint("POST", "/changes/approve", REVIEWER, body={"change_ids": [SOME_ID]}),
    Endpoint("GET", "/residents/{atena_no}", RECORD_READERS),
    Endpoint("GET", "/residents/{atena_no}/history", RECORD_READERS),
    Endpoint("GET", "/households/{household_no}", RECORD_READERS),
    Endpoint("GET", "/residents", RECORD_READERS, params={"kana": "ヤマダ"}),
    # Reading roles that are also in JUMIN_REGISTRY_MY_NUMBER_ROLES (default: reviewer).
    Endpoint(
        "POST",
        "/residents/search/by-my-number",
        MY_NUMBER_READERS,
        body={"my_number": my_number("12345678901")},
    ),
    Endpoint("GET", "/addresses/towns", RECORD_READERS),
    Endpoint(
        "POST",
        "/support-measures",
        SUPPORT_OFFICER,
        body={"atena_no": SOMEONE, "starts_on": "2025-01-01"},
    ),
    Endpoint("GET", "/support-measures", SUPPORT_OFFICER, params={"atena_no": SOMEONE}),
    Endpoint("POST", "/support-measures/{measure_id}/confirm", SUPPORT_OFFICER),
    Endpoint("POST", "/support-measures/{measure_id}/extend", SUPPORT_OFFICER),
    Endpoint(
        "POST",
        "/support-measures/{measure_id}/end",
        SUPPORT_OFFICER,
        body={"on": "2025-06-30", **REASON},
    ),
    Endpoint("GET", "/audit/access-log", AUDITOR, params=PERIOD),
    Endpoint("GET", "/audit/off-hours", AUDITOR, params=PERIOD),
    Endpoint("GET", "/audit/mass-searches", AUDITOR, params=PERIOD),
    Endpoint("GET", "/audit/my-number-access", AUDITOR, params=PERIOD),
    Endpoint("GET", "/audit/failed-authentications", AUDITOR, params=PERIOD),
    Endpoint("GET", "/audit/access-log/verify", AUDITOR),
    Endpoint("POST", "/gaiji", ADMIN, body={"glyph_png": "", "reason": "r", "substitute": "葛"}),
    Endpoint("GET", "/gaiji", GAIJI_READERS),
    Endpoint("POST", "/audit/access-log/checkpoints", AUDITOR),
    Endpoint("GET", "/work-items", RECORD_READERS),
    Endpoint("GET", "/work-items/{work_item_id}", RECORD_READERS),
    Endpoint("POST", "/work-items/{work_item_id}/resolve", CLERK, body=RESOLVE),
    Endpoint("GET", "/healthz", EVERYONE, public=True),
    Endpoint("GET", "/readyz", EVERYONE, public=True),
)
GUARDED = tuple(e for e in MATRIX if not e.public)
CELLS = [(endpoint, role) for endpoint in MATRIX for role in Role]


@pytest.fixture(scope="module")
async def served(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Serve one app to every cell: building one per cell (住所辞書 and all) takes a minute."""
    if "test" not in urlparse(settings.database_url.get_secret_value()).path:
        pytest.fail("integration tests run only against a *test* database (use `make test`)")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            yield http


async def _call(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    headers: dict[str, str],
    *,
    change_id: str = SOME_ID,
) -> httpx.Response:
    return await client.request(
        endpoint.method,
        endpoint.url(change_id=change_id),
        params=endpoint.params,
        json=endpoint.body,
        headers=headers,
    )


def test_the_matrix_has_one_row_for_every_route_of_the_app(settings: Settings) -> None:
    app = create_app(settings)
    # FastAPI ≥ 0.137 nests included routers in app.routes; iter_route_contexts flattens them.
    routes = {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        for method in context.methods or ()
    }

    assert sorted(e.route for e in MATRIX) == sorted(routes)


def test_the_readme_shows_the_same_matrix() -> None:
    lines = [line.strip() for line in README.read_text().splitlines()]
    header = next(line for line in lines if line.startswith("| Endpoint |"))
    roles = [Role(cell.strip(" `")) for cell in header.split("|")[3:-1]]
    documented: dict[tuple[str, str], frozenset[Role]] = {}
    for line in lines:
        match = re.match(r"\| `(GET|POST|PUT|PATCH|DELETE) (/\S*)` \|", line)
        if match:
            marks = [cell.strip() for cell in line.split("|")[3:-1]]
            allowed = frozenset(r for r, mark in zip(roles, marks, strict=True) if mark == "✓")
            documented[(match[1], match[2])] = allowed

    assert documented == {e.route: e.allowed for e in GUARDED}


@pytest.mark.parametrize(("endpoint", "role"), CELLS, ids=[f"{e} as {r}" for e, r in CELLS])
async def test_each_role_reaches_exactly_the_endpoints_of_the_matrix(
    served: httpx.AsyncClient, token: TokenFactory, endpoint: Endpoint, role: Role
) -> None:
    response = await _call(served, endpoint, auth(token, f"{role}01", role))

    if role in endpoint.allowed:
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
    else:
        assert is_problem(response, 403), response.text


@pytest.mark.parametrize("endpoint", GUARDED, ids=str)
async def test_a_call_without_a_token_is_unauthenticated(
    served: httpx.AsyncClient, endpoint: Endpoint
) -> None:
    response = await _call(served, endpoint, {})

    assert is_problem(response, 401), response.text


@pytest.mark.parametrize("endpoint", [e for e in MATRIX if e.public], ids=str)
async def test_a_probe_answers_without_a_token(
    served: httpx.AsyncClient, endpoint: Endpoint
) -> None:
    response = await _call(served, endpoint, {})

    assert response.status_code == 200, response.text


async def test_a_refused_role_changes_nothing_in_the_register(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    pending = await submit(client, token, move_in())
    before = await row_counts(owner_connection)

    for endpoint in (e for e in GUARDED if e.method != "GET"):
        for role in EVERYONE - endpoint.allowed:
            headers = auth(token, f"{role}02", role)
            response = await _call(client, endpoint, headers, change_id=pending["change_id"])
            assert is_problem(response, 403), f"{endpoint} as {role}: {response.text}"

    assert await row_counts(owner_connection) == before
    still = await client.get(
        f"/changes/{pending['change_id']}", headers=auth(token, "reviewer01", Role.REVIEWER)
    )
    assert still.json()["status"] == "pending"
