"""Map registry refusals to problem+json answers a clerk understands."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from jumin_platform.problems import problem_response

from registry.domain.errors import (
    ChangeNotPending,
    CharacterRefused,
    NotFound,
    NotMaker,
    RegistryError,
    RuleViolation,
    SelfApprovalError,
    StateConflict,
    SupportMeasureBlock,
)

_STATUS: dict[type[RegistryError], int] = {
    RuleViolation: 422,
    StateConflict: 409,
    ChangeNotPending: 409,
    NotFound: 404,
    SelfApprovalError: 403,
    NotMaker: 403,
    SupportMeasureBlock: 403,
}


def status_of(exc: RegistryError) -> int:
    """Return the HTTP status of a refusal."""
    for cls in type(exc).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 400


async def _on_registry_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RegistryError)
    status = status_of(exc)
    if status == 422:  # a 422 problem always carries a field list; a rule names no field
        errors = _field_errors(exc)
        return problem_response(
            status, exc.title, exc.detail, instance=request.url.path, errors=errors
        )
    extra = getattr(exc, "extra", {})  # e.g. the dependent changes of a refused 取消し
    return problem_response(status, exc.title, exc.detail, instance=request.url.path, **extra)


def _field_errors(exc: RegistryError) -> list[dict[str, object]]:
    if isinstance(exc, CharacterRefused):
        return [{"loc": ["body", *exc.field], "msg": exc.message, "type": "value_error"}]
    return []


def install_registry_error_handlers(app: FastAPI) -> None:
    """Answer every RegistryError as problem+json with its status."""
    app.add_exception_handler(RegistryError, _on_registry_error)
