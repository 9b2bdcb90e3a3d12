"""情報照会 from another body and the 情報提供等記録 each answer leaves (番号法23条).

Every inquiry is answered and recorded: `provided` (the 副本 as it stands, 消除 marked too),
`no_data` (no 副本, or a deleted one), or `refused` (no entry of the legal-basis table, or one that
does not cover the data item); the record names who asked, for what, when and on which basis,
so it can be listed per 符号 for the resident (マイナポータル's 情報提供等記録開示).
"""

from __future__ import annotations

import enum
from typing import Any

from jumin_simulator.formats import Fugo
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from intermediate_simulator.domain.copies import CopyVersion
from intermediate_simulator.domain.legal_bases import BASIS_ID_PATTERN, LegalBasis


class Outcome(enum.StrEnum):
    """How an inquiry was answered."""

    PROVIDED = "provided"
    NO_DATA = "no_data"
    REFUSED = "refused"


class InquiryIn(BaseModel):
    """An 情報照会 as the other body sends it through the 情報提供ネットワークシステム."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requester_code: str = Field(pattern=r"^[0-9A-Z]{1,20}$", description="情報照会者の機関コード")
    requester_name: str = Field(min_length=1, max_length=100, description="情報照会者の名称")
    fugo: Fugo = Field(
        description="符号 of the person asked about (the asking body's own 符号 "
        "is translated by the 情報提供ネットワークシステム; the simulator takes the ward's)"
    )
    data_item: str = Field(pattern=r"^[a-z][a-z_]{0,39}$", description="特定個人情報の項目")
    legal_basis_id: str = Field(pattern=BASIS_ID_PATTERN, description="情報提供の根拠 (table id)")


class ProvisionRecord(BaseModel):
    """情報提供等記録: one answered (or refused) inquiry."""

    model_config = ConfigDict(frozen=True)

    record_no: str
    answered_at: AwareDatetime
    fugo: str
    data_item: str
    requester_code: str
    requester_name: str
    legal_basis_id: str
    clause: str | None = Field(description="法令の条項 (null: no such basis)")
    outcome: Outcome
    refusal_code: str | None
    copy_version: int | None = Field(description="the 副本 version provided")


def decide(
    inquiry: InquiryIn, basis: LegalBasis | None, current: CopyVersion | None
) -> tuple[Outcome, str | None]:
    """The outcome of an inquiry and, if refused, why."""
    if basis is None:
        return Outcome.REFUSED, "R-NO-LEGAL-BASIS"
    if inquiry.data_item not in basis.data_items:
        return Outcome.REFUSED, "R-ITEM-NOT-COVERED"
    if current is None or current.deleted:
        return Outcome.NO_DATA, None
    return Outcome.PROVIDED, None


def provided_items(outcome: Outcome, current: CopyVersion | None) -> dict[str, Any] | None:
    """What the asking body gets: the 副本's items when provided, else nothing."""
    return current.items if outcome is Outcome.PROVIDED and current is not None else None
