"""The data items (特定個人情報) the ward registers as 副本, each with the model of its items.

Only 住民票関係情報 is the registry's: the spec asks 住記 to send "データ標準レイアウトの法第7条第4号に
規定される特定個人情報" [S:j1150], i.e. 住基法7条4号 — 世帯主についてはその旨、世帯主でない者については
世帯主の氏名及び世帯主との続柄. What the 副本 adds (記載・消除の別, 異動事由, 異動年月日) is this
simulator's assumption (INTERFACE.md); the real data standard layout is not public.
"""

from __future__ import annotations

from typing import Literal

from jumin_simulator.formats import ChangeReason, Name, WireDate
from pydantic import BaseModel, ConfigDict, Field, model_validator

JUMINHYO_KANKEI = "juminhyo_kankei"
"""住民票関係情報 (番号法: 住民票に記載された世帯に関する情報)."""


class JuminhyoKankeiItems(BaseModel):
    """住民票関係情報 of one person: 住基法7条4号, and whether the 住民票 is 記載 or 消除."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    head_of_household: bool = Field(description="世帯主である旨")
    head_name: Name | None = Field(description="世帯主の氏名 (世帯主でない者のみ)")
    relationship: Name | None = Field(description="世帯主との続柄 (世帯主でない者のみ)")
    record_status: Literal["resident", "removed"] = Field(
        description="記載 (resident) or 消除 (removed: 転出, 死亡, 職権消除 — the 副本 is marked)"
    )
    change_reason: ChangeReason = Field(description="異動事由 (the ward's code)")
    change_date: WireDate = Field(description="異動年月日")

    @model_validator(mode="after")
    def _head_or_members_items(self) -> JuminhyoKankeiItems:
        if self.head_of_household and (self.head_name or self.relationship):
            raise ValueError(
                "世帯主には世帯主の氏名・続柄を付けません / no head_name or relationship for a head"
            )
        if not self.head_of_household and not (self.head_name and self.relationship):
            raise ValueError(
                "世帯主でない者には世帯主の氏名と続柄が要ります / head_name and relationship needed"
            )
        return self


DataItemCode = Literal["juminhyo_kankei"]
"""The data items this 中間サーバー keeps for the ward."""

DATA_ITEMS: dict[str, tuple[str, type[BaseModel]]] = {
    JUMINHYO_KANKEI: ("住民票関係情報", JuminhyoKankeiItems),
}
"""Data item code → (its name, the model of its items)."""
