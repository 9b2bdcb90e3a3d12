"""What the ward sends the 中間サーバー (副本登録): one operation on one person's data item.

The person is named by the 符号 the 統合宛名 obtained (no 個人番号, no 住民票コード, no name);
`items` follow the data item's model (`domain.data_items`). Unknown items are refused.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from jumin_simulator.formats import Fugo, MunicipalityCode
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from intermediate_simulator.domain.data_items import DataItemCode

Operation = Literal["register", "update", "delete"]
"""登録 (no 副本 yet, or deleted), 更新 (replace the items), 削除 (no 副本 any more)."""


class WireModel(BaseModel):
    """Refuse unknown items: a field the system should not get is an error, not a surprise."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CopyOperation(WireModel):
    """One operation on one person's data item; `items` are checked against the data item."""

    operation: Operation
    fugo: Fugo = Field(description="符号 (情報提供用個人識別符号) of the person")
    data_item: DataItemCode = Field(description="特定個人情報の項目")
    as_of: AwareDatetime = Field(
        description="when the change happened in the register: operations on one 副本 must come "
        "in this order"
    )
    items: dict[str, Any] | None = Field(description="the data item's items (null to delete)")

    @model_validator(mode="after")
    def _items_unless_delete(self) -> CopyOperation:
        if (self.operation == "delete") != (self.items is None):
            raise ValueError(
                "削除だけが項目を持ちません / items are null iff the operation is delete"
            )
        return self


class Envelope(WireModel):
    """One transmission from the ward (送信元: its 地方公共団体コード)."""

    event_id: UUID = Field(description="the registry event the operation follows from")
    municipality_code: MunicipalityCode
    sent_at: AwareDatetime
    body: CopyOperation
