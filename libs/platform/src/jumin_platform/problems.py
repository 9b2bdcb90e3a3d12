"""Answer every error as RFC 9457 problem details (`application/problem+json`).

Nothing the caller sent is echoed back, and an unexpected failure is logged and traced by its
exception type only: messages and input values may contain personal data (個人情報).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from opentelemetry import trace
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jumin_platform.auth import AuthenticationError, AuthorizationError

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_RESPONSES",
    "FieldError",
    "Problem",
    "install_problem_handlers",
    "problem_response",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"

logger = logging.getLogger(__name__)


class Problem(BaseModel):
    """Describe one error as RFC 9457 problem details (問題の詳細)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None


class FieldError(BaseModel):
    """Point at one invalid request field (入力誤り) without repeating its value."""

    loc: list[str | int]
    msg: str
    type: str


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Build a problem+json response; `extra` adds members such as `errors` or `instance`."""
    problem = Problem(type=type_, title=title, status=status, detail=detail, **extra)
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Make `app` answer authentication, authorization, validation and HTTP errors as problems.

    Call it in the composition root before the app starts serving.
    """
    app.exception_handler(AuthenticationError)(_on_authentication_error)
    app.exception_handler(AuthorizationError)(_on_authorization_error)
    app.exception_handler(RequestValidationError)(_on_validation_error)
    app.exception_handler(StarletteHTTPException)(_on_http_exception)
    # Starlette re-raises what reaches its Exception handler, so servers and tracing would
    # record the message; the middleware answers inside the stack and does not re-raise.
    app.add_middleware(_LastResortMiddleware)
    app.exception_handler(Exception)(_on_unhandled)


_DEFAULT_DETAILS = {
    400: "リクエストの形式が正しくありません。 (The request is malformed.)",
    401: "認証が必要です。 (Authentication is required.)",
    403: "この操作を行う権限がありません。 (You are not allowed to do this.)",
    404: "指定されたものは見つかりません。 (Nothing exists at this address.)",
    405: "この操作はこのアドレスでは使えません。 (This method is not allowed here.)",
    409: "現在の状態と矛盾するため処理できません。 (This conflicts with the current state.)",
    413: "リクエストが大きすぎます。 (The request is too large.)",
    415: "この形式のデータは受け付けられません。 (This media type is not supported.)",
    429: "リクエストが多すぎます。しばらく待ってください。 (Too many requests; please wait.)",
}
_SHOWN_IN_DETAIL = 3
"""At most this many field messages in a 422's detail; `errors` lists them all."""
_INTERNAL_ERROR = (
    "システム内部でエラーが発生しました。"
    "解決しない場合はトレースIDを添えて管理者に連絡してください。 "
    "(An internal error occurred; if it persists, contact the administrator with the trace id.)"
)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def _on_authentication_error(request: Request, exc: AuthenticationError) -> Response:
    challenge = "Bearer" if exc.error is None else f'Bearer error="{exc.error}"'
    return problem_response(
        401,
        _phrase(401),
        exc.detail,
        headers={"WWW-Authenticate": challenge},
        instance=request.url.path,
    )


async def _on_authorization_error(request: Request, exc: AuthorizationError) -> Response:
    return problem_response(403, _phrase(403), exc.detail, instance=request.url.path)


async def _on_validation_error(request: Request, exc: RequestValidationError) -> Response:
    # Only where and what kind: pydantic's `input` and `ctx` may hold personal data.
    # A dependency used twice (a router's and an endpoint's terminal) reports the same error twice.
    unique = {(tuple(err["loc"]), err["type"]): err for err in exc.errors()}
    errors = [_field_error(err) for err in unique.values()]
    return problem_response(
        422,
        _phrase(422),
        _invalid_fields(errors),
        instance=request.url.path,
        errors=[error.model_dump() for error in errors],
    )


def _field_error(err: Mapping[str, Any]) -> FieldError:
    return FieldError(loc=list(err["loc"]), msg=_message(err), type=err["type"])


def _message(err: Mapping[str, Any]) -> str:
    """Give the validator's own message (pydantic prefixes it with "Value error, "), and name
    the expected tags of a discriminated union without the tag that was sent."""
    ctx = err.get("ctx") or {}
    if err["type"] in {"value_error", "assertion_error"} and "error" in ctx:
        return str(ctx["error"])
    if err["type"] == "union_tag_invalid":
        return f"{ctx['discriminator']} should be one of {ctx['expected_tags']}"
    return str(err["msg"])


def _invalid_fields(errors: list[FieldError]) -> str:
    """Say what is wrong in the detail: `field: message` for the first few invalid fields."""
    shown = "; ".join(f"{_field_name(e.loc)}: {e.msg}" for e in errors[:_SHOWN_IN_DETAIL])
    more = len(errors) - _SHOWN_IN_DETAIL
    rest = f" (他{more}件 / {more} more, see errors)" if more > 0 else ""
    return f"入力内容に誤りがあります (invalid input) — {shown}{rest}"


def _field_name(loc: list[str | int]) -> str:
    """Name the field without where it came from: `occurred_on`, `X-Jumin-Terminal`."""
    return ".".join(str(part) for part in loc[1:] or loc)


async def _on_http_exception(request: Request, exc: StarletteHTTPException) -> Response:
    status = exc.status_code
    if status < 200 or status in {204, 304}:
        return Response(status_code=status, headers=exc.headers)  # these carry no body
    detail = str(exc.detail)
    if detail == _phrase(status):
        detail = _DEFAULT_DETAILS.get(status, detail)
    return problem_response(
        status, _phrase(status), detail, headers=exc.headers, instance=request.url.path
    )


async def _on_unhandled(request: Request, exc: Exception) -> Response:
    return _internal_error(_record_unhandled(exc), instance=request.url.path)


def _internal_error(trace_id: str | None, *, instance: str) -> JSONResponse:
    return problem_response(
        500, _phrase(500), _INTERNAL_ERROR, instance=instance, trace_id=trace_id
    )


def _record_unhandled(exc: Exception) -> str | None:
    """Log and trace an unexpected exception by type and code location, never its message."""
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name}" if frames else "?"
    span = trace.get_current_span()
    span.set_attribute("error.type", kind)
    span.set_status(trace.StatusCode.ERROR)
    context = span.get_span_context()
    trace_id = trace.format_trace_id(context.trace_id) if context.is_valid else None
    logger.error("unhandled %s at %s (trace_id=%s)", kind, where, trace_id or "-")
    return trace_id


class _LastResortMiddleware:
    """Answer an unhandled exception with a detail-free 500 problem instead of re-raising it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            trace_id = _record_unhandled(exc)
            if started:  # too late to answer; re-raise without the original message
                raise RuntimeError(f"unhandled {type(exc).__name__} mid-response") from None
            response = _internal_error(trace_id, instance=scope["path"])
            await response(scope, receive, send)


def _problem_schema(*, with_errors: bool = False) -> dict[str, Any]:
    """Give Problem's JSON schema inline, so it needs no entry in `components`."""
    schema = Problem.model_json_schema()
    if with_errors:
        schema["properties"]["errors"] = {
            "type": "array",
            "items": FieldError.model_json_schema(),
        }
        schema["required"] = [*schema["required"], "errors"]
    return schema


def _documented(description: str, **extra: Any) -> dict[str, Any]:
    schema = _problem_schema(with_errors=extra.pop("with_errors", False))
    content = {PROBLEM_MEDIA_TYPE: {"schema": schema}}
    return {"description": description, "content": content, **extra}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("不正なリクエスト (Bad request)"),
    401: _documented(
        "認証エラー (Missing or invalid bearer token)",
        headers={"WWW-Authenticate": {"schema": {"type": "string"}}},
    ),
    403: _documented("権限エラー (The staff member lacks a required role)"),
    404: _documented("該当なし (Not found)"),
    409: _documented("競合 (Conflicts with the current state)"),
    422: _documented("入力誤り (Invalid fields, listed in errors)", with_errors=True),
}
"""Document the problem+json answers for FastAPI's `responses=` (route or router)."""
