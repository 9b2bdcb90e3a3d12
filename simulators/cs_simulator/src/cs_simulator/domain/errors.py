"""What CS answers when it refuses a transmission; each error code says whether a retry helps."""

from __future__ import annotations

from jumin_simulator.errors import CodedError, format_error, key_reused

__all__ = ["CsError", "format_error", "key_reused", "rejected"]

CsError = CodedError
"""A refusal with the CS error code (エラーコード) and its HTTP status."""


def rejected() -> CsError:
    """CS refuses this person (fault injection 'reject people'): permanent."""
    detail = "市町村CSがこの住民票コードの電文を受け付けません。 (CS refuses this person.)"
    return CsError(422, "E-REJECTED", detail)
