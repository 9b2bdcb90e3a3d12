"""The 中間サーバー's refusals (to the ward), each with its HTTP status, and the reasons it refuses
another body's 情報照会 (recorded, answered as an outcome)."""

from __future__ import annotations

from jumin_simulator.errors import COMMON_ERROR_CODES, CodedError

ERROR_CODES: dict[str, tuple[int, str]] = {
    **COMMON_ERROR_CODES,
    "E-ALREADY-REGISTERED": (409, "副本登録済み (register on a 副本 that exists; send update)"),
    "E-NOT-REGISTERED": (409, "副本未登録 (update or delete with no 副本; send register first)"),
    "E-OUT-OF-ORDER": (409, "順序誤り (as_of is older than the 副本's: a later change is applied)"),
    "E-REJECTED": (422, "受付拒否 (fault injection: the system refuses this 符号)"),
}
"""Each error code with its HTTP status and what it means."""

REFUSAL_CODES: dict[str, str] = {
    "R-NO-LEGAL-BASIS": "情報提供の根拠がありません (the basis is not in the table)",
    "R-ITEM-NOT-COVERED": "その根拠ではこの特定個人情報を照会できません (basis lacks the item)",
}
"""Why an 情報照会 was refused (recorded in the 情報提供等記録)."""


def already_registered() -> CodedError:
    detail = "副本は登録済みです。更新を送ってください。 (A 副本 exists: send an update.)"
    return CodedError(409, "E-ALREADY-REGISTERED", detail)


def not_registered() -> CodedError:
    detail = "副本が登録されていません。 (No 副本: register it first.)"
    return CodedError(409, "E-NOT-REGISTERED", detail)


def out_of_order() -> CodedError:
    detail = "より新しい異動が反映済みです。 (A later change is applied: out of order.)"
    return CodedError(409, "E-OUT-OF-ORDER", detail)


def rejected() -> CodedError:
    """The system refuses this person (fault injection 'reject people'): permanent."""
    detail = "中間サーバーがこの符号の副本登録を受け付けません。 (Refused for this person.)"
    return CodedError(422, "E-REJECTED", detail)
