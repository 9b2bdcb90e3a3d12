"""Operator requests the adapter refuses, each with its HTTP status and a bilingual detail."""

from __future__ import annotations


class OperatorRefusal(Exception):
    """An operator request that cannot be carried out now."""

    status = 409
    title = "Conflict"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ManualModeOn(OperatorRefusal):
    """Nothing is sent to CS while 手動連携 is on."""

    def __init__(self) -> None:
        super().__init__(
            "手動連携中のためCSへ送信できません。自動連携に戻してから実行してください。 "
            "(Manual hand-over is on: switch it off before sending to CS.)"
        )


class TooMany(OperatorRefusal):
    status = 422
    title = "Unprocessable Content"


class NothingFound(OperatorRefusal):
    status = 404
    title = "Not Found"
