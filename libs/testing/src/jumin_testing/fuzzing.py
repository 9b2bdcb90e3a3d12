"""The set-up every schemathesis fuzz test shares (registry, cs_adapter, CS simulator).

Each service fuzzes its own OpenAPI, in-process over ASGI, with the same checks and the same
bounded, derandomized generation: MAX_EXAMPLES examples per operation in the fuzzing phase (the
coverage phase adds its own boundary cases), the same cases on every run, the first failing case
reported instead of minutes spent shrinking, no replay of examples saved by earlier runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

__all__ = ["CHECKS", "MAX_EXAMPLES", "built_app", "fuzzing_schema"]

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
