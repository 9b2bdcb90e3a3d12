"""What the ward sends the ministry, as models: 市町村通知 and 市町村伝達 in their envelope.

Formats follow the other simulators' 電文 (`jumin_simulator.formats`): 年月日 `YYYYMMDD` with
zeros for unknown parts, 性別 `"1"`/`"2"`; 通知区分, 異動事由 and 区分 are the ward's codes
(`jumin_contracts`); 国籍・地域 is an ISO 3166-1 alpha-3 code. Unknown items are refused. Which
items a notice must carry for its class and 区分 is `domain.rules`.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from jumin_contracts.codes import ChangeKind, ForeignResidentCategory
from jumin_contracts.messages import NoticeClass
from jumin_simulator.formats import MunicipalityCode, Name, RequiredText, Sex, Text, WireDate
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from moj_simulator.domain.formats import CardNo, NationalityCode

MUNICIPAL_NOTICE = "municipal_notice"
"""市町村通知 (入管法61条の8の2)."""

MUNICIPAL_TRANSMISSION = "municipal_transmission"
"""市町村伝達 (入管法19条の7〜19条の9 の住居地届出を市町村が受けたとき; 入管令2条)."""

NoticeType = Literal["municipal_notice", "municipal_transmission"]


class WireModel(BaseModel):
    """Refuse unknown items: a field the ministry should not get is an error, not a surprise."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Envelope(WireModel):
    """One transmission from the ward (送信元: its 地方公共団体コード); `body` checked after."""

    event_id: UUID = Field(description="the registry event the notice reports")
    municipality_code: MunicipalityCode
    sent_at: AwareDatetime
    type: NoticeType = Field(description="市町村通知 or 市町村伝達")
    body: dict[str, object]


class PersonItems(WireModel):
    """Who the notice is about, as the 在留カード states it (氏名 in alphabet or 漢字 or both)."""

    name_alphabet: Name | None = Field(default=None, description="氏名 (アルファベット)")
    family_name: Name | None = Field(default=None, description="氏 (漢字等)")
    given_name: Name | None = Field(default=None, description="名 (漢字等)")
    birth_date: WireDate = Field(description="生年月日")
    sex: Sex = Field(description="性別")
    nationality: NationalityCode = Field(description="国籍・地域 (ISO 3166-1 alpha-3, XXA 無国籍)")


class MunicipalNoticeBody(PersonItems):
    """市町村通知 (入管法61条の8の2): a 記載・消除・記載の修正 of a 外国人住民's 住民票."""

    notice_class: NoticeClass = Field(description="通知区分 (住基法・入管法 / 入管法 / 住基法)")
    change_reason: ChangeKind = Field(description="異動事由 (the ward's change kind)")
    change_date: WireDate = Field(description="異動年月日")
    notification_date: WireDate | None = Field(default=None, description="届出年月日 (null: 職権)")
    address: RequiredText = Field(description="住所 (住居地)")
    previous_address: Text | None = Field(default=None, description="前住所 (転入)")
    foreign_category: ForeignResidentCategory = Field(description="区分 (住基法30条の45)")
    status_of_residence: Name | None = Field(default=None, description="在留資格")
    period_of_stay: Name | None = Field(default=None, description="在留期間")
    stay_expires_on: WireDate | None = Field(default=None, description="在留期間の満了日")
    residence_card_no: CardNo | None = Field(default=None, description="在留カード番号")
    special_permanent_cert_no: CardNo | None = Field(
        default=None, description="特別永住者証明書番号"
    )

    @property
    def card_no(self) -> str | None:
        """The number the ministry knows the person by."""
        return self.residence_card_no or self.special_permanent_cert_no


class MunicipalTransmissionBody(PersonItems):
    """市町村伝達 (入管令2条): a 住居地届出 the ward received (a 転入・転居届 with the 在留カード)."""

    filing_article: Literal["19-7", "19-8", "19-9"] = Field(
        description="入管法19条の7 (新規上陸後) / 19条の8 (在留資格変更等) / 19条の9 (住居地の変更)"
    )
    notification_date: WireDate = Field(description="届出年月日")
    address: RequiredText = Field(description="住居地")
    residence_card_no: CardNo = Field(description="在留カード番号")

    @property
    def card_no(self) -> str:
        """The number the ministry knows the person by."""
        return self.residence_card_no


NoticeBody = MunicipalNoticeBody | MunicipalTransmissionBody
"""Either body, after its envelope's `type` chose the model."""
