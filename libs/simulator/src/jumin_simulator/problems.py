"""Answer refusals as problem+json with the system's error code in `code`; name fields, never values.

Each simulator has a catalog of its error codes (code → HTTP status, meaning); routes document
the codes they may answer with `error_responses`, and `install_coded_error_handlers` makes every
malformed request a `400 E-FORMAT`, so one error format covers the whole simulator.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from jumin_platform.problems import PROBLEM_MEDIA_TYPE, FieldError, Problem, problem_response
from starlette.exceptions import HTTPException as StarletteHTTPException

from jumin_simulator.errors import CodedError, format_error
from jumin_simulator.validation import safe_message

ErrorCatalog = Mapping[str, tuple[int, str]]
"""Error code → (HTTP status, what it means)."""


def coded_problem(error: CodedError, *, instance: str) -> JSONResponse:
    """Build the problem+json answer for a refusal."""
    extra: dict[str, Any] = {"errors": error.errors} if error.errors else {}
    return problem_response(
        error.status,
        HTTPStatus(error.status).phrase,
        error.detail,
        instance=instance,
        code=error.code,
        **extra,
        **error.extra,
    )


def error_responses(
    catalog: ErrorCatalog,
    *codes: str,
    extra_properties: Mapping[str, dict[str, Any]] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """Document the refusals a route may answer: problem+json carrying one of *codes* in `code`."""
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(catalog[code][0], []).append(code)
    return {
        status: {
            "description": "; ".join(f"{c}: {catalog[c][1]}" for c in listed),
            "content": {
                PROBLEM_MEDIA_TYPE: {"schema": _problem_schema(listed, extra_properties or {})}
            },
        }
        for status, listed in by_status.items()
    }


def _problem_schema(codes: list[str], extra: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """Give the problem's JSON schema inline (no `components` entry), `code` required."""
    schema = Problem.model_json_schema()
    schema["properties"]["code"] = {
        "type": "string",
        "enum": codes,
        "description": "エラーコード (error code)",
    }
    schema["properties"]["errors"] = {"type": "array", "items": FieldError.model_json_schema()}
    schema["properties"].update(extra)
    schema["required"] = [*schema["required"], "code"]
    return schema


def drop_default_validation_answers(openapi: dict[str, Any]) -> dict[str, Any]:
    """Remove FastAPI's default 422 (HTTPValidationError): validation errors are 400 E-FORMAT here."""
    default = {"$ref": "#/components/schemas/HTTPValidationError"}
    for operations in openapi.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("422", {})
            if answer.get("content", {}).get("application/json", {}).get("schema") == default:
                del operation["responses"]["422"]
    schemas = openapi.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return openapi


def install_coded_error_handlers(app: FastAPI) -> None:
    """Answer CodedError with its code, and every malformed request as 400 E-FORMAT.

    Malformed means failing validation or not even parsing (a body that is not UTF-8). Call
    after `install_problem_handlers`, whose 422 for validation errors this replaces: the
    simulated systems report malformed messages as E-FORMAT. Other HTTP errors (404, 405) keep
    its problem answers.
    """
    app.exception_handler(CodedError)(_on_coded_error)
    app.exception_handler(RequestValidationError)(_on_validation_error)
    other_http_errors = app.exception_handlers[StarletteHTTPException]

    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400:  # FastAPI's "error parsing the body" (e.g. not UTF-8)
            return coded_problem(format_error([_UNPARSABLE]), instance=request.url.path)
        answer = other_http_errors(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    app.exception_handler(StarletteHTTPException)(on_http_error)


_UNPARSABLE = {
    "loc": ["body"],
    "msg": "本文を解析できません / the body is not UTF-8 JSON",
    "type": "json_invalid",
}


async def _on_coded_error(request: Request, exc: CodedError) -> Response:
    return coded_problem(exc, instance=request.url.path)


async def _on_validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = [
        {"loc": list(err["loc"]), "msg": safe_message(err["type"], err["msg"]), "type": err["type"]}
        for err in exc.errors()
    ]
    return coded_problem(format_error(errors), instance=request.url.path)
