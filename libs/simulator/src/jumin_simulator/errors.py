"""A simulated system's refusal: an error code that says whether a retry can help, and its status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COMMON_ERROR_CODES: dict[str, tuple[int, str]] = {
    "E-FORMAT": (400, "電文・パラメータの形式誤り (malformed; `errors` names the fields)"),
    "E-KEY-REUSED": (409, "冪等キーの再利用 (the key was used for another message)"),
    "E-BUSY": (503, "混雑 (fault injection, also a lost reply; retry later)"),
    "E-DOWN": (503, "停止中 (fault injection; the system is down)"),
}
"""The codes every simulator answers (malformed, key reuse, fault injection): each simulator's
catalog adds its own to these."""


@dataclass
class CodedError(Exception):
    """A refusal with the system's error code (エラーコード) and its HTTP status."""

    status: int = 400
    code: str = "E-FORMAT"
    detail: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def format_error(errors: list[dict[str, Any]]) -> CodedError:
    """Malformed or missing items, bad dates or check digits: permanent, `errors` names fields."""
    detail = "電文の形式に誤りがあります。 (Malformed message; see errors.)"
    return CodedError(400, "E-FORMAT", detail, errors)


def key_reused() -> CodedError:
    """The idempotency key was used before for a different message: permanent."""
    detail = (
        "同じ冪等キーで異なる電文が送信されました。 (Idempotency key reused with another body.)"
    )
    return CodedError(409, "E-KEY-REUSED", detail)


def busy(system: str) -> CodedError:
    """Fault injection: the system is busy (also a lost reply); transient."""
    return CodedError(
        503, "E-BUSY", f"{system}が混雑しています。後で再送してください。 (Busy; retry later.)"
    )


def down(system: str) -> CodedError:
    """Fault injection: the system is down; transient."""
    return CodedError(503, "E-DOWN", f"{system}が停止しています。 (The system is down.)")
