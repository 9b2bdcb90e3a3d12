"""The set-up every schemathesis fuzz test shares (registry, the adapters, the simulators).

Each service fuzzes its own OpenAPI, in-process over ASGI, with the same checks and the same
bounded, derandomized generation: MAX_EXAMPLES examples per operation in the fuzzing phase (the
coverage phase adds its own boundary cases), the same cases on every run, the first failing case
reported instead of minutes spent shrinking, no replay of examples saved by earlier runs.

The adapters (cs_adapter, koseki_adapter, moj_notify) share their test too: each module keeps its
`seeded` (a `SeededLedger`) and `fuzz_app` fixtures and takes the rest from here:

    from jumin_testing.fuzzing import admin_headers, app_lifespan  # fixtures
    test_every_operation_answers_as_documented = every_operation_test(schema)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from jumin_platform.devkeys import issue_token
from jumin_platform.terminal import TERMINAL_HEADER
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.python.asgi import shutdown_lifespans

__all__ = [
    "CHECKS",
    "MAX_EXAMPLES",
    "SeededLedger",
    "admin_headers",
    "app_lifespan",
    "built_app",
    "every_operation_test",
    "fuzzing_schema",
    "staff_headers",
    "use_query_values",
]

MAX_EXAMPLES = 25
"""Examples per operation in the fuzzing phase."""

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
"""No 5xx; every status code documented; content types, bodies and headers as declared."""


def built_app(build: Callable[[], FastAPI], *, keys_command: str) -> FastAPI:
    """Build the app whose OpenAPI is fuzzed; fail plainly when the development keys are missing."""
    try:
        return build()
    except FileNotFoundError:
        pytest.fail(f"no development keys: run `{keys_command}`", pytrace=False)


def fuzzing_schema(app: FastAPI, *, serve: bool = False) -> schemathesis.BaseSchema:
    """Load the app's OpenAPI for schemathesis with the shared generation settings.

    `serve`: calls go to this very app in-process (its lifespan starts with the first call);
    otherwise each test hands its own app to the call.
    """
    loaded = schemathesis.openapi.from_dict(app.openapi())
    if serve:
        loaded.app = app
    loaded.config.generation.update(
        max_examples=MAX_EXAMPLES,
        deterministic=True,
        no_shrink=True,
        database="none",
    )
    return loaded


def use_query_values(case: schemathesis.Case[Any], values: Mapping[str, Any]) -> None:
    """Give the case's query those of `values` (seeded records) that its operation declares."""
    declared = {parameter.name for parameter in case.operation.query}
    overrides = {k: v for k, v in values.items() if k in declared}
    if overrides:
        case.query = {**(case.query or {}), **overrides}


@dataclass(frozen=True)
class SeededLedger:
    """Identifiers of an adapter's delivery record seeded before fuzzing (a sent and a held
    message), put into the cases that name such things so success answers are checked too."""

    person_key: str
    event_id: str
    sent_id: int
    held_id: int

    def apply(self, case: schemathesis.Case[Any]) -> None:
        """Point the case's identifiers at the seeded records."""
        if case.path_parameters and "event_id" in case.path_parameters:
            case.path_parameters["event_id"] = self.event_id
        use_query_values(case, {"event_id": self.event_id, "person_key": self.person_key})
        body: Any = case.body
        if not isinstance(body, dict):
            return
        for name, value in (("ids", [self.held_id]), ("delivery_ids", [self.sent_id])):
            if name in body:
                body[name] = value
        if "delivery_ids" in body:  # 再送信 selects by ids or by range, not both
            body.pop("from", None)
            body.pop("to", None)


def staff_headers(
    keys: Path, *, issuer: str, audience: str, sub: str = "fuzzer01", role: str = "admin"
) -> dict[str, str]:
    """Authorization of a staff member (システム管理 by default) at the fuzzing terminal."""
    token = issue_token(
        private_key_pem=(keys / "private.pem").read_text(),
        sub=sub,
        roles=[role],
        issuer=issuer,
        audience=audience,
    )
    return {"Authorization": f"Bearer {token}", TERMINAL_HEADER: "fuzz-01"}


# ---- the adapters' fuzz test -------------------------------------------------------------------
@pytest.fixture(scope="module")
def admin_headers(settings: Any, keys: Path) -> dict[str, str]:
    """Authorization of a システム管理 (admin) staff member, from the adapter's test settings."""
    return staff_headers(keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience)


@pytest.fixture
def app_lifespan(seeded: SeededLedger) -> Iterator[None]:
    """Stop the app's lifespan (closing its pool and consumer) once an operation's cases ran."""
    yield
    shutdown_lifespans()


def every_operation_test(schema: schemathesis.BaseSchema) -> Callable[..., None]:
    """The adapter's test of every operation of *schema*, as an admin: every other case is about
    the module's `seeded` records; the module's `fuzz_app` answers (its lifespan run by
    schemathesis, stopped by `app_lifespan` after each operation)."""
    cases = itertools.count()  # generation is derandomized, so the numbering is stable

    @schema.parametrize()
    # The app, its pool and the seeded tables are meant to be shared by an operation's examples.
    @hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
    def test_every_operation_answers_as_documented(
        case: schemathesis.Case[Any],
        seeded: SeededLedger,
        fuzz_app: FastAPI,
        app_lifespan: None,
        admin_headers: dict[str, str],
    ) -> None:
        if next(cases) % 2:  # every other case is about the seeded records
            seeded.apply(case)
        case.call_and_validate(headers=admin_headers, checks=CHECKS, app=fuzz_app)

    test: Callable[..., None] = test_every_operation_answers_as_documented  # as parametrized
    return test
