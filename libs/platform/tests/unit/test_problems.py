"""Errors answer as problem+json (RFC 9457) and never repeat personal data."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Annotated, Literal

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from jumin_platform.problems import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_RESPONSES,
    install_problem_handlers,
    problem_response,
)
from pydantic import BaseModel, Field, field_validator

SECRET_NAME = "山田太郎"
SECRET_NUMBER = "123456789018"


class MoveIn(BaseModel):
    name: str = Field(max_length=2)
    birth_year: int


class Birth(BaseModel):
    kind: Literal["birth"]
    born_on: str

    @field_validator("born_on")
    @classmethod
    def _readable(cls, value: str) -> str:
        if not value.isdigit():
            raise ValueError("年月日として読めません / cannot read a date")
        return value


class Death(BaseModel):
    kind: Literal["death"]


Change = Annotated[Birth | Death, Field(discriminator="kind")]


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/residents", status_code=201, responses=PROBLEM_RESPONSES)
    async def move_in(body: MoveIn) -> dict[str, str]:
        return {"name": body.name}

    @app.post("/changes")
    async def enter(body: Change) -> dict[str, str]:
        return {"kind": body.kind}

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


def test_validation_detail_carries_the_validators_message_without_prefix_or_input(
    client: TestClient,
) -> None:
    response = client.post("/changes", json={"kind": "birth", "born_on": SECRET_NAME})

    problem = response.json()
    assert response.status_code == 422
    assert problem["detail"] == (
        "入力内容に誤りがあります (invalid input) — "
        "birth.born_on: 年月日として読めません / cannot read a date"
    )
    assert problem["errors"] == [
        {
            "loc": ["body", "birth", "born_on"],
            "msg": "年月日として読めません / cannot read a date",
            "type": "value_error",
        }
    ]
    assert "Value error" not in response.text
    assert SECRET_NAME not in response.text


def test_unknown_union_tag_is_not_echoed(client: TestClient) -> None:
    response = client.post("/changes", json={"kind": SECRET_NAME})

    problem = response.json()
    assert response.status_code == 422
    assert problem["errors"][0]["type"] == "union_tag_invalid"
    assert "'birth', 'death'" in problem["detail"]
    assert SECRET_NAME not in response.text


def test_validation_detail_names_the_first_fields_and_counts_the_rest() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/search")
    async def search(a: int, b: int, c: int, d: int, e: int) -> None: ...

    problem = TestClient(app).get("/search").json()

    assert len(problem["errors"]) == 5
    assert problem["detail"].startswith("入力内容に誤りがあります (invalid input) — a: ")
    assert "; c: " in problem["detail"]
    assert "d: " not in problem["detail"]
    assert problem["detail"].endswith("(他2件 / 2 more, see errors)")


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
