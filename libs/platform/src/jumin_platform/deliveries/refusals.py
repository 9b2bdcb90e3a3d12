"""Operator requests an adapter refuses, each with its HTTP status and a bilingual detail."""

from __future__ import annotations

__all__ = ["HandOverOutOfOrder", "ManualModeOn", "NothingFound", "OperatorRefusal", "TooMany"]


class OperatorRefusal(Exception):
    """An operator request that cannot be carried out now."""

    status = 409
    title = "Conflict"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ManualModeOn(OperatorRefusal):
    """Nothing is sent while 手動連携 is on."""

    def __init__(self) -> None:
        super().__init__(
            "手動連携中のため送信できません。自動連携に戻してから実行してください。 "
            "(Manual hand-over is on: switch it off before sending.)"
        )


class TooMany(OperatorRefusal):
    status = 422
    title = "Unprocessable Content"


class NothingFound(OperatorRefusal):
    status = 404
    title = "Not Found"


class HandOverOutOfOrder(OperatorRefusal):
    """A hand-over would leave a person's older held message behind a newer one."""

    def __init__(self, left_behind: dict[str, list[int]]) -> None:
        named = "; ".join(
            f"{person_key}: {', '.join(map(str, ids))}" for person_key, ids in left_behind.items()
        )
        super().__init__(
            "同一人の先の保留電文が残るため手動連携済みにできません。先の電文も含めてください。 "
            "(A person's older held messages would stay held behind the ones handed over; "
            f"include them too — person key: missing delivery ids: {named})"
        )
        self.left_behind = left_behind
