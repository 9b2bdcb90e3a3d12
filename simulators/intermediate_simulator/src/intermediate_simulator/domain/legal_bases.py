"""情報提供の根拠: the table of legal bases on which another body may ask for a data item.

An inquiry through the 情報提供ネットワークシステム is lawful only under 番号法19条8号 and the
entry of 別表第二 (since the 2023 amendment, of the 主務省令 that replaced it; title and date
unconfirmed) naming the asking body's 事務 and the data item. Which entries name 住民票関係情報
provided by a 市町村長 is not settled from a readable source here: the entries below are the
common cases a ward answers (国保, 児童手当, 生活保護, 介護保険, 国民年金), each cited by its 事務
with the 別表第二 項 left **unconfirmed**; the table is the simulator's, and tests or operators
add or replace entries with `PUT /sim/legal-bases`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from intermediate_simulator.domain.data_items import JUMINHYO_KANKEI, DataItemCode

BASIS_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"


class LegalBasis(BaseModel):
    """One entry of the table: who may ask for which data items, for which 事務, under which
    法令の条項."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    basis_id: str = Field(pattern=BASIS_ID_PATTERN, description="the entry's id (the simulator's)")
    clause: str = Field(min_length=1, max_length=200, description="法令の条項 (情報提供の根拠)")
    affair: str = Field(min_length=1, max_length=200, description="情報照会者の事務")
    requester: str = Field(min_length=1, max_length=100, description="情報照会者 (kind of body)")
    data_items: frozenset[DataItemCode] = Field(
        min_length=1, description="the data items it may ask for"
    )


_CLAUSE = "番号法19条8号・別表第二（{}の項; 項番 unconfirmed; 2023年改正後は主務省令）"


def _basis(basis_id: str, affair: str, requester: str) -> LegalBasis:
    return LegalBasis(
        basis_id=basis_id,
        clause=_CLAUSE.format(affair),
        affair=affair,
        requester=requester,
        data_items=frozenset({JUMINHYO_KANKEI}),
    )


DEFAULT_LEGAL_BASES: tuple[LegalBasis, ...] = (
    _basis(
        "nhi-benefits",
        "国民健康保険法による保険給付の支給に関する事務",
        "市町村長・国民健康保険組合",
    ),
    _basis("child-allowance", "児童手当法による児童手当又は特例給付の支給に関する事務", "市町村長"),
    _basis("public-assistance", "生活保護法による保護の決定及び実施に関する事務", "都道府県知事等"),
    _basis("long-term-care", "介護保険法による保険給付の支給に関する事務", "市町村長"),
    _basis("national-pension", "国民年金法による年金である給付の支給に関する事務", "厚生労働大臣"),
)
"""The table a fresh simulator holds."""
