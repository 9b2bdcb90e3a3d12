"""Every staff call names its terminal (端末名, spec 10.2): 422 without it, after authentication."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header
from fastapi.testclient import TestClient
from jumin_platform.auth import AuthenticationError
from jumin_platform.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers
from jumin_platform.terminal import TERMINAL_HEADER, TERMINAL_REQUIRED, Terminal

entered: list[str] = []


async def staff(authorization: Annotated[str | None, Header()] = None) -> str:
    if authorization != "Bearer ok":
        raise AuthenticationError("認証が必要です", error=None)
    return "clerk01"


@pytest.fixture
def client() -> TestClient:
    entered.clear()
    app = FastAPI()
    install_problem_handlers(app)
    router = APIRouter()

    @router.post("/changes", status_code=201)
    async def enter(clerk: Annotated[str, Depends(staff)], terminal: Terminal) -> dict[str, str]:
        entered.append(terminal)
        return {"terminal": terminal}

    @router.get("/residents")
    async def look_up(clerk: Annotated[str, Depends(staff)]) -> list[str]:
        return []

    app.include_router(router, dependencies=TERMINAL_REQUIRED)

    @app.get("/healthz")
    async def healthz() -> str:
        return "ok"

    return TestClient(app)


SIGNED_IN = {"Authorization": "Bearer ok"}


def test_a_call_with_a_terminal_is_served(client: TestClient) -> None:
    response = client.post("/changes", headers={**SIGNED_IN, TERMINAL_HEADER: "counter-01"})

    assert response.status_code == 201
    assert entered == ["counter-01"]


@pytest.mark.parametrize(
    "terminal",
    [None, "", "   ", "counter 01", "c" * 65, "counter\t01", "counter\x7f", "窓口１"],
    ids=["missing", "empty", "blank", "space", "too-long", "tab", "del", "non-ascii"],
)
def test_a_call_without_a_usable_terminal_is_422_naming_the_header(
    client: TestClient, terminal: str | None
) -> None:
    headers: dict[str, str | bytes] = dict(SIGNED_IN)
    if terminal is not None:
        headers[TERMINAL_HEADER] = terminal.encode()  # UTF-8 bytes, as a client would send

    response = client.post("/changes", headers=headers)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = response.json()
    assert [e["loc"] for e in problem["errors"]] == [["header", TERMINAL_HEADER]]
    assert TERMINAL_HEADER in problem["detail"]
    assert entered == []


def test_reads_need_the_terminal_too(client: TestClient) -> None:
    assert client.get("/residents", headers=SIGNED_IN).status_code == 422
    assert client.get("/residents", headers={**SIGNED_IN, TERMINAL_HEADER: "t1"}).status_code == 200


def test_authentication_comes_before_the_terminal(client: TestClient) -> None:
    response = client.post("/changes")

    assert response.status_code == 401
    assert entered == []


def test_health_needs_no_terminal(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200


def test_openapi_documents_the_required_header_once(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/changes"]["post"]

    headers = [p for p in operation["parameters"] if p["in"] == "header"]
    terminal = [p for p in headers if p["name"] == TERMINAL_HEADER]
    assert len(terminal) == 1
    assert terminal[0]["required"] is True
    assert terminal[0]["schema"]["maxLength"] == 64
