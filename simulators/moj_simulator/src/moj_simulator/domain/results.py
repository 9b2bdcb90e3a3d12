"""Processing results (処理結果): what the ministry's 連携サーバ answers, later, per notice."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from moj_simulator.domain.notices import WireModel
from moj_simulator.domain.records import Outcome
from moj_simulator.domain.state import Receipt

PROCESSING_RESULT = "processing_result"


class ResultIn(WireModel):
    """A processing result to queue by hand (test API), for a held 受付番号 or any other."""

    receipt_no: str = Field(min_length=1, max_length=20, pattern=r"^[A-Z]{2}-[0-9]{1,12}$")
    result: Literal["ok", "error"]
    error_code: str | None = Field(default=None, pattern=r"^R-[A-Z0-9-]{1,30}$")
    error_items: list[str] = Field(
        default_factory=list, max_length=20, description="names of the items concerned"
    )
    message: str | None = Field(default=None, max_length=500, pattern=r"^[^\x00]*$")

    @model_validator(mode="after")
    def _code_with_error(self) -> ResultIn:
        if (self.result == "error") != (self.error_code is not None):
            raise ValueError("エラーの結果だけがエラーコードを持ちます / error_code iff error")
        if any(len(item) > 60 for item in self.error_items):
            raise ValueError("項目名が長すぎます / item names are at most 60 characters")
        return self

    @property
    def outcome(self) -> Outcome:
        return Outcome(self.error_code, tuple(self.error_items))


def result_body(
    *,
    receipt_no: str,
    receipt: Receipt | None,
    outcome: Outcome,
    processed_at: datetime,
    message: str | None = None,
) -> dict[str, Any]:
    """The feed's body of a processing result (no personal data: ids, codes, item names)."""
    return {
        "receipt_no": receipt_no,
        "event_id": str(receipt.envelope.event_id) if receipt else None,
        "notice_type": receipt.envelope.type if receipt else None,
        "result": "ok" if outcome.error_code is None else "error",
        "error_code": outcome.error_code,
        "error_items": list(outcome.error_items),
        "message": message,
        "processed_at": processed_at.isoformat(),
    }
