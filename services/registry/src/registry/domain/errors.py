"""Domain errors; each carries a detail a clerk understands (Japanese, then English)."""

from __future__ import annotations


class RegistryError(Exception):
    """Base of every refusal by the registry."""

    title = "Refused"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class RuleViolation(RegistryError):
    """The request breaks a rule of the 住民基本台帳法 or the spec (入力内容の誤り)."""

    title = "Change breaks a registry rule"


class StateConflict(RegistryError):
    """The request does not fit the register as it is now (例: 既に消除されている)."""

    title = "Change conflicts with the register"


class NotFound(RegistryError):
    """The person, household or change does not exist."""

    title = "Not found"


class SelfApprovalError(RegistryError):
    """The reviewer entered the change (入力者と審査者は別の職員でなければならない)."""

    title = "Self-approval refused"


class ChangeNotPending(RegistryError):
    """The change has already been decided."""

    title = "Change is not pending"


class NotMaker(RegistryError):
    """Only the member of staff who entered a pending change may correct or withdraw it."""

    title = "Not the maker of the change"


class SupportMeasureBlock(RegistryError):
    """The person is under a 支援措置 and the staff member has no right to see them."""

    title = "Protected by a support measure"


class NothingToChange(RuleViolation):
    """The request would record what the register already says (変更する項目がありません)."""

    title = "Nothing to change"


class CodePoolEmpty(StateConflict):
    """No free 住民票コード is left to give a newborn (spec 4.3.1): the 出生 stays pending until CS
    supplies more, so no one is recorded — or sent to CS — without a code."""

    title = "No free juminhyo code"
