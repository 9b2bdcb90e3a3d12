"""The 団体内統合宛名システム's refusals, each with its HTTP status."""

from __future__ import annotations

from jumin_simulator.errors import COMMON_ERROR_CODES, CodedError

ERROR_CODES: dict[str, tuple[int, str]] = {
    **COMMON_ERROR_CODES,
    "E-NOT-FOUND": (404, "該当する宛名がありません (no person under that number)"),
    "E-REJECTED": (422, "受付拒否 (fault injection: the system refuses this 住民票コード)"),
}
"""Each error code with its HTTP status and what it means."""


def rejected() -> CodedError:
    """The system refuses this person (fault injection 'reject people'): permanent."""
    detail = (
        "統合宛名システムがこの住民票コードの宛名連携を受け付けません。 (Refused for this person.)"
    )
    return CodedError(422, "E-REJECTED", detail)


def not_found() -> CodedError:
    """No person is known under the number asked for."""
    return CodedError(404, "E-NOT-FOUND", "該当する宛名がありません。 (No such person.)")
