"""長官通知 (住基法30条の50): a change the ministry made that the ward must record.

Injected through `/sim/director-notices` (as if the ministry had decided it); the ministry's
record changes with it, and the notice is queued for the ward. A 特別永住者's notice is flagged
(`special_permanent`): staff import those by hand.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from jumin_contracts.codes import ForeignResidentCategory
from jumin_simulator.formats import JuminhyoCode, Name, Sex, WireDate
from pydantic import Field, model_validator

from moj_simulator.domain.formats import CardNo, NationalityCode
from moj_simulator.domain.notices import WireModel
from moj_simulator.domain.records import Resident

DIRECTOR_NOTICE = "director_notice"

DirectorNoticeKind = Literal[
    "period_extension", "status_change", "card_issued", "item_correction", "stay_ended"
]
"""在留期間更新 / 在留資格変更 / 在留カード交付 (再交付・切替: new number) / 記載事項の変更・訂正
(氏名・生年月日・性別・国籍・地域) / 在留の終了 (出国による在留期間満了, 在留資格取消: 消除)."""

NoticeText = Annotated[str, Field(min_length=1, max_length=500, pattern=r"^[^\x00]*$")]
"""通知文: what the clerk reads (shown as the change's 備考)."""


class Corrections(WireModel):
    """The items the notice changes; an omitted item stays, one given as null is cleared."""

    name_alphabet: Name | None = None
    family_name: Name | None = None
    given_name: Name | None = None
    birth_date: WireDate | None = None
    sex: Sex | None = None
    nationality: NationalityCode | None = None
    foreign_category: ForeignResidentCategory | None = None
    status_of_residence: Name | None = None
    period_of_stay: Name | None = None
    stay_expires_on: WireDate | None = None
    residence_card_no: CardNo | None = Field(default=None, description="在留カード番号 (新)")
    special_permanent_cert_no: CardNo | None = Field(
        default=None, description="特別永住者証明書番号 (新)"
    )

    @model_validator(mode="after")
    def _keep_what_every_record_has(self) -> Corrections:
        cleared = [name for name in ALWAYS_RECORDED if self.given().get(name, "") is None]
        if cleared:
            raise ValueError(
                "生年月日・性別・国籍・地域・区分は消せません / these items cannot be cleared: "
                + ", ".join(cleared)
            )
        return self

    def given(self) -> dict[str, Any]:
        """The items the notice states (null included: cleared)."""
        return self.model_dump(mode="json", exclude_unset=True)


ALWAYS_RECORDED = ("birth_date", "sex", "nationality", "foreign_category")
"""Items every foreign resident's record has: a 長官通知 may change them, never clear them."""


class DirectorNoticeIn(WireModel):
    """A 長官通知 to queue (test API): the person, what changed, from when, in words."""

    kind: DirectorNoticeKind
    residence_card_no: CardNo | None = Field(
        default=None, description="在留カード番号 on record before the change"
    )
    special_permanent_cert_no: CardNo | None = Field(
        default=None, description="特別永住者証明書番号 on record before the change"
    )
    juminhyo_code: JuminhyoCode | None = Field(default=None, description="住民票コード, if known")
    foreign_category: ForeignResidentCategory | None = Field(
        default=None, description="区分 (default: the ministry's record, else by the number given)"
    )
    effective_date: WireDate = Field(description="異動日: when the change took effect")
    corrections: Corrections = Field(default_factory=Corrections)
    notice_text: NoticeText

    @model_validator(mode="after")
    def _complete(self) -> DirectorNoticeIn:
        if not (self.residence_card_no or self.special_permanent_cert_no or self.juminhyo_code):
            raise ValueError("在留カード番号等か住民票コードが必要です / name the person")
        if self.kind != "stay_ended" and not self.corrections.given():
            raise ValueError("訂正する項目がありません / the notice corrects nothing")
        if self.kind == "card_issued" and not _new_number(self.corrections):
            raise ValueError("新しい番号が必要です / a card_issued notice gives the new number")
        return self

    @property
    def card_no(self) -> str | None:
        """The number the ministry knew the person by before the change."""
        return self.residence_card_no or self.special_permanent_cert_no


def _new_number(corrections: Corrections) -> bool:
    given = corrections.given()
    return bool(given.get("residence_card_no") or given.get("special_permanent_cert_no"))


def is_special_permanent(notice: DirectorNoticeIn, record: Resident | None) -> bool:
    """Tell whether the notice is about a 特別永住者 (imported by hand, not automatically)."""
    category = notice.foreign_category or (record.foreign_category if record else None)
    if category is not None:
        return category is ForeignResidentCategory.SPECIAL_PERMANENT
    return notice.special_permanent_cert_no is not None and notice.residence_card_no is None


def director_notice_body(
    notice: DirectorNoticeIn, *, notice_no: str, notice_date: str, special_permanent: bool
) -> dict[str, Any]:
    """The feed's body of a 長官通知."""
    return {
        "notice_no": notice_no,
        "kind": notice.kind,
        "notice_date": notice_date,
        "effective_date": notice.effective_date,
        "residence_card_no": notice.residence_card_no,
        "special_permanent_cert_no": notice.special_permanent_cert_no,
        "juminhyo_code": notice.juminhyo_code,
        "special_permanent": special_permanent,
        "corrections": notice.corrections.given(),
        "notice_text": notice.notice_text,
    }


def corrected(record: Resident, notice: DirectorNoticeIn) -> list[Resident]:
    """The record after the notice: changed items; a new card number voids the old one."""
    items = {k: v for k, v in notice.corrections.given().items() if k in Resident.model_fields}
    new_no = _new_card_no(notice)
    if new_no is None or new_no == record.card_no:
        return [Resident.model_validate({**record.model_dump(mode="json"), **items})]
    renewed = Resident.model_validate(
        {**record.model_dump(mode="json"), **items, "card_no": new_no, "replaced_by": None}
    )
    return [record.model_copy(update={"replaced_by": new_no}), renewed]


def _new_card_no(notice: DirectorNoticeIn) -> str | None:
    given = notice.corrections.given()
    number = given.get("residence_card_no") or given.get("special_permanent_cert_no")
    return str(number) if number else None
