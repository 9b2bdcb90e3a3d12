"""What CS answers when it refuses a transmission; each error code says whether a retry helps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CsError(Exception):
    """A refusal with the CS error code (エラーコード) and its HTTP status."""

    status: int = 400
    code: str = "E-FORMAT"
    detail: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)


def format_error(errors: list[dict[str, Any]]) -> CsError:
    """Malformed or missing items, bad dates or check digits: permanent, `errors` names fields."""
    detail = "電文の形式に誤りがあります。 (Malformed message; see errors.)"
    return CsError(400, "E-FORMAT", detail, errors)


def key_reused() -> CsError:
    """The idempotency key was used before for a different message: permanent."""
    detail = (
        "同じ冪等キーで異なる電文が送信されました。 (Idempotency key reused with another body.)"
    )
    return CsError(409, "E-KEY-REUSED", detail)


def rejected() -> CsError:
    """CS refuses this person (fault injection 'reject people'): permanent."""
    detail = "市町村CSがこの住民票コードの電文を受け付けません。 (CS refuses this person.)"
    return CsError(422, "E-REJECTED", detail)
