"""Errors answer as problem+json (RFC 9457) and never repeat personal data."""

from __future__ import annotations

import logging
from http import HTTPStatus

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from jumin_platform.problems import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_RESPONSES,
    install_problem_handlers,
    problem_response,
)
from pydantic import BaseModel, Field

SECRET_NAME = "山田太郎"
SECRET_NUMBER = "123456789018"


class MoveIn(BaseModel):
    name: str = Field(max_length=2)
    birth_year: int


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/residents", status_code=201, responses=PROBLEM_RESPONSES)
    async def move_in(body: MoveIn) -> dict[str, str]:
        return {"name": body.name}

    @app.get("/residents/{number}")
    async def look_up(number: int) -> dict[str, int]:
        raise HTTPException(status_code=409, detail="世帯が変更中です。 (Household is changing.)")

    @app.get("/crash")
    async def crash() -> None:
        raise ValueError(f"cannot process {SECRET_NAME} {SECRET_NUMBER}")

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(status_code=404)

    return TestClient(app)


def test_validation_error_is_422_problem_listing_fields_without_echoing_input(
    client: TestClient,
) -> None:
    response = client.post("/residents", json={"name": SECRET_NAME, "birth_year": SECRET_NUMBER})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = response.json()
    assert problem["status"] == 422
    assert problem["title"] == HTTPStatus(422).phrase
    assert {tuple(error["loc"]) for error in problem["errors"]} == {("body", "name")}
    assert set(problem["errors"][0]) == {"loc", "msg", "type"}
    assert SECRET_NAME not in response.text


def test_malformed_json_is_422_problem(client: TestClient) -> None:
    response = client.post(
        "/residents",
        content=f'{{"name": "{SECRET_NAME}",',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert SECRET_NAME not in response.text


def test_bad_path_parameter_is_422_without_echo(client: TestClient) -> None:
    response = client.get(f"/residents/{SECRET_NAME}")

    assert response.status_code == 422
    assert all(SECRET_NAME not in str(error) for error in response.json()["errors"])


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    response = client.get("/no/such/thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "指定されたものは見つかりません。 (Nothing exists at this address.)",
        "instance": "/no/such/thing",
    }


def test_wrong_method_is_405_problem_with_allow_header(client: TestClient) -> None:
    response = client.delete("/residents")

    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["allow"] == "POST"


def test_http_exception_detail_is_kept(client: TestClient) -> None:
    response = client.get("/residents/7")

    assert response.status_code == 409
    assert response.json()["detail"] == "世帯が変更中です。 (Household is changing.)"


def test_unexpected_error_is_500_problem_without_details_in_body_or_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = client.get("/crash")

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert SECRET_NAME not in response.text
    assert SECRET_NUMBER not in response.text
    assert "builtins.ValueError" in caplog.text
    assert SECRET_NAME not in caplog.text
    assert SECRET_NUMBER not in caplog.text


def test_problem_response_adds_extension_members() -> None:
    response = problem_response(409, "Conflict", "既に承認済みです。", change_id="c-1")

    assert response.media_type == PROBLEM_MEDIA_TYPE
    assert bytes(response.body).decode() == (
        '{"type":"about:blank","title":"Conflict","status":409,'
        '"detail":"既に承認済みです。","change_id":"c-1"}'
    )


def test_openapi_documents_problem_json_for_client_errors(client: TestClient) -> None:
    responses = client.get("/openapi.json").json()["paths"]["/residents"]["post"]["responses"]

    for status in ("400", "401", "403", "404", "409", "422"):
        assert list(responses[status]["content"]) == [PROBLEM_MEDIA_TYPE], status
    assert "errors" in responses["422"]["content"][PROBLEM_MEDIA_TYPE]["schema"]["properties"]
    assert "WWW-Authenticate" in responses["401"]["headers"]
