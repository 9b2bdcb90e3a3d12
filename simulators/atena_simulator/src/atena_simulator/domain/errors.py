"""The 団体内統合宛名システム's refusals, each with its HTTP status."""

from __future__ import annotations

from jumin_simulator.errors import CodedError

ERROR_CODES: dict[str, tuple[int, str]] = {
    "E-FORMAT": (400, "電文・パラメータの形式誤り (malformed; `errors` names the fields)"),
    "E-NOT-FOUND": (404, "該当する宛名がありません (no person under that number)"),
    "E-KEY-REUSED": (409, "冪等キーの再利用 (the key was used for another message)"),
    "E-REJECTED": (422, "受付拒否 (fault injection: the system refuses this 住民票コード)"),
    "E-BUSY": (503, "混雑 (fault injection, also a lost reply; retry later)"),
    "E-DOWN": (503, "停止中 (fault injection; the system is down)"),
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
