"""Answer refusals as problem+json with the CS error code in `code`; name fields, never values."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from jumin_platform.problems import problem_response

from cs_simulator.domain.errors import CsError, format_error
from cs_simulator.domain.validation import safe_message


def cs_problem(error: CsError, *, instance: str) -> JSONResponse:
    """Build the problem+json answer for a CS refusal."""
    extra: dict[str, Any] = {"errors": error.errors} if error.errors else {}
    return problem_response(
        error.status,
        HTTPStatus(error.status).phrase,
        error.detail,
        instance=instance,
        code=error.code,
        **extra,
    )


def install_cs_error_handlers(app: FastAPI) -> None:
    """Answer CsError with its code, and every request validation error as 400 E-FORMAT.

    Call after `install_problem_handlers`, whose 422 for validation errors this replaces: CS
    reports malformed transmissions as E-FORMAT.
    """
    app.exception_handler(CsError)(_on_cs_error)
    app.exception_handler(RequestValidationError)(_on_validation_error)


async def _on_cs_error(request: Request, exc: CsError) -> Response:
    return cs_problem(exc, instance=request.url.path)


async def _on_validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = [
        {"loc": list(err["loc"]), "msg": safe_message(err["type"], err["msg"]), "type": err["type"]}
        for err in exc.errors()
    ]
    return cs_problem(format_error(errors), instance=request.url.path)
