"""The ministry's refusals (synchronous) and its processing-result codes (later, on the feed)."""

from __future__ import annotations

from jumin_simulator.errors import CodedError

ERROR_CODES: dict[str, tuple[int, str]] = {
    "E-FORMAT": (400, "電文・パラメータの形式誤り (malformed; `errors` names the fields)"),
    "E-KEY-REUSED": (409, "冪等キーの再利用 (the key was used for another notice)"),
    "E-NOT-NOTIFIABLE": (422, "通知の対象でない異動事由です (permanent: never send it)"),
    "E-REJECTED": (422, "受付拒否 (fault injection: the ministry refuses this card number)"),
    "E-BUSY": (503, "混雑 (fault injection, also a lost reply; retry later)"),
    "E-DOWN": (503, "停止中 (fault injection; the ministry's server is down)"),
}
"""Each synchronous error code with its HTTP status and what it means."""

RESULT_CODES: dict[str, str] = {
    "R-CARD-UNKNOWN": "在留カード番号・特別永住者証明書番号が法務省の記録にありません",
    "R-CARD-REPLACED": "その在留カードは再交付・切替で失効しています (a newer number is on record)",
    "R-PERSON-MISMATCH": "在留カード番号の記録と氏名・生年月日・性別・国籍・地域が一致しません",
}
"""Error codes of a processing result (処理結果) the simulator decides itself; injected results may
carry other `R-…` codes."""


def not_notifiable() -> CodedError:
    """The 異動事由 is one the ministry is never told of: permanent."""
    detail = "この異動事由は市町村通知の対象ではありません。 (This change is not notified.)"
    error = {"loc": ["body", "body", "change_reason"], "msg": "not notified", "type": "reason"}
    return CodedError(422, "E-NOT-NOTIFIABLE", detail, [error])


def rejected() -> CodedError:
    """The ministry refuses this person (fault injection 'reject people'): permanent."""
    detail = "法務省がこの在留カード番号の通知を受け付けません。 (Refused for this person.)"
    return CodedError(422, "E-REJECTED", detail)
