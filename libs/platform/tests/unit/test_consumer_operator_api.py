"""The operator API answers every failure as problem+json and needs an admin by default."""

from __future__ import annotations

from typing import Any, cast
from uuid import uuid4

import asyncpg
import pytest
from aiormq.exceptions import AMQPConnectionError
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jumin_platform.auth import Staff
from jumin_platform.consumer.operations import NotFound, NotRunning, Operations
from jumin_platform.consumer.operator_api import operator_router
from jumin_platform.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers


class FakeOperations:
    """Fail each call as a test says."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def dead_letters(self, limit: int) -> list[Any]:
        raise self.error

    async def parked(self, limit: int) -> list[Any]:
        raise self.error

    async def resend(self, event_id: object, *, operator: str, reason: str) -> Any:
        raise self.error


class FakeKit:
    def __init__(self, operations: FakeOperations | None) -> None:
        self._operations = operations

    @property
    def operations(self) -> Operations:
        if self._operations is None:
            raise NotRunning("受信処理が停止しています。 (The consumer is not running.)")
        return cast(Operations, self._operations)


async def _admin() -> Staff:
    return Staff(user_id="ops", roles=frozenset({"admin"}))


def client(kit: FakeKit, *, authorised: bool = True) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(operator_router(kit, staff=_admin if authorised else None))
    return TestClient(app)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_a_stopped_consumer_answers_503() -> None:
    body = assert_problem(client(FakeKit(None)).get("/operator/parked"), 503)
    assert "not running" in body["detail"]


@pytest.mark.parametrize(
    "outage",
    [
        AMQPConnectionError("refused"),
        ConnectionRefusedError(111, "refused"),
        asyncpg.exceptions.CannotConnectNowError("refused: shutting down"),
    ],
)
def test_an_unreachable_broker_or_database_answers_503(outage: Exception) -> None:
    kit = FakeKit(FakeOperations(outage))
    body = assert_problem(client(kit).get("/operator/dead"), 503)
    assert "refused" not in body["detail"]  # internals stay in the logs


def test_resending_an_unknown_event_answers_404() -> None:
    kit = FakeKit(FakeOperations(NotFound("イベントはありません。 (No such dead letter.)")))
    body = assert_problem(client(kit).post(f"/operator/resend/{uuid4()}"), 404)
    assert body["detail"] == "イベントはありません。 (No such dead letter.)"


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/operator/skip/not-a-uuid", {"reason": "x"}),
        (f"/operator/skip/{uuid4()}", {}),
        (f"/operator/skip/{uuid4()}", {"reason": ""}),
        (f"/operator/skip/{uuid4()}", {"reason": "x", "force": True}),
    ],
)
def test_bad_skip_requests_answer_422(path: str, payload: dict[str, object]) -> None:
    assert_problem(client(FakeKit(None)).post(path, json=payload), 422)


def test_operators_must_authenticate_by_default() -> None:
    response = client(FakeKit(None), authorised=False).get("/operator/dead")
    assert_problem(response, 401)
