"""The 戸籍附票システム's wire as models: the ward's notice, the 戸籍 as seeded, the 戸籍 events.

Formats follow the CS 電文 conventions (`jumin_simulator.formats`): 年月日 `YYYYMMDD` with zeros
for unknown parts, 性別 `"1"`/`"2"`, 住民票コード with its check digit. Unknown items are refused.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from jumin_contracts.kana import is_kana
from jumin_simulator.formats import (
    ChangeReason,
    JuminhyoCode,
    MunicipalityCode,
    Name,
    RequiredText,
    Sex,
    Text,
    WireDate,
)
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

RequiredName = Annotated[Name, Field(min_length=1)]
"""A name item that must say something (氏, 名, 筆頭者)."""


def _kana(value: str) -> str:
    if not is_kana(value):
        raise ValueError("振り仮名はカナで書きます / furigana must be kana")
    return value


Kana = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_kana)]
"""氏名の振り仮名 as the 戸籍 states it (戸籍法13条, since 2025-05-26; older 戸籍 may have none)."""


class WireModel(BaseModel):
    """Refuse unknown items: a field the system should not get is an error, not a surprise."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Envelope(WireModel):
    """One 附票記載事項通知 from the ward (送信元: its 地方公共団体コード); `body` checked after."""

    event_id: UUID
    municipality_code: MunicipalityCode
    sent_at: AwareDatetime
    body: dict[str, object]


class FuhyoNoticeBody(WireModel):
    """戸籍附票記載事項通知 (住基法19条1項): the 附票 items (17条 1–7号) of one person."""

    honseki: RequiredText = Field(description="本籍 (戸籍の表示)")
    hittosha: Name | None = Field(default=None, description="筆頭者 (戸籍の表示)")
    family_name: RequiredName = Field(description="氏")
    given_name: RequiredName = Field(description="名")
    address: Text | None = Field(default=None, description="住所 (国外転出者は null)")
    moved_abroad: bool = Field(default=False, description="国外転出者である旨")
    abroad_country: Name | None = Field(default=None, description="国外転出先の国・地域")
    address_since: WireDate = Field(description="住所を定めた年月日 (国外転出: 転出の年月日)")
    birth_date: WireDate = Field(description="出生の年月日")
    sex: Sex = Field(description="男女の別")
    juminhyo_code: JuminhyoCode | None = Field(default=None, description="住民票コード")
    change_reason: ChangeReason = Field(description="異動事由 (the ward's change kind)")
    change_date: WireDate = Field(description="異動年月日")

    @model_validator(mode="after")
    def _address_or_abroad(self) -> FuhyoNoticeBody:
        if self.moved_abroad and self.address is not None:
            raise ValueError("国外転出者の住所は null です / no 住所 for a person moved abroad")
        if not self.moved_abroad and not self.address:
            raise ValueError("住所が必要です / 住所 is required unless moved abroad")
        if not self.moved_abroad and self.abroad_country is not None:
            raise ValueError("国外転出先は国外転出者だけです / a country only when moved abroad")
        return self


class AddressEntry(WireModel):
    """One 住所 line of a person's 附票: 住所 (or 国外転出 with country) and since when."""

    address: Text | None = None
    address_since: WireDate
    moved_abroad: bool = False
    abroad_country: Name | None = None


class MemberIn(WireModel):
    """A person of a 戸籍 as seeded: identity items and 附票 住所 lines (oldest first)."""

    juminhyo_code: JuminhyoCode | None = None
    family_name: RequiredName
    given_name: RequiredName
    family_name_kana: Kana | None = None
    given_name_kana: Kana | None = None
    birth_date: WireDate
    sex: Sex
    addresses: list[AddressEntry] = Field(default_factory=list, max_length=100)


class KosekiIn(WireModel):
    """A 戸籍 and its 附票 as seeded (test API): (本籍, 筆頭者) and its members."""

    honseki: RequiredText
    hittosha: RequiredName
    members: list[MemberIn] = Field(min_length=1, max_length=50)


class PersonEvent(WireModel):
    """A 戸籍 event about one person, found by 戸籍 and 住民票コード."""

    honseki: RequiredText
    hittosha: RequiredName
    juminhyo_code: JuminhyoCode
    event_date: WireDate


class Marriage(PersonEvent):
    """婚姻 (or, with event "divorce", 離婚): the person enters another 戸籍 with a new 氏."""

    event: Literal["marriage", "divorce"]
    new_honseki: RequiredText
    new_hittosha: RequiredName
    new_family_name: RequiredName
    new_family_name_kana: Kana | None = None
    new_honseki_municipality_code: MunicipalityCode | None = Field(
        default=None, description="本籍地 of the new 戸籍 (default: this ward)"
    )


class NameChange(PersonEvent):
    """氏名の変更 (氏の変更・名の変更): the person stays in the 戸籍."""

    event: Literal["name_change"]
    new_family_name: RequiredName | None = None
    new_given_name: RequiredName | None = None
    new_family_name_kana: Kana | None = None
    new_given_name_kana: Kana | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> NameChange:
        if self.new_family_name is None and self.new_given_name is None:
            raise ValueError("新しい氏か名が必要です / a new 氏 or 名 is required")
        return self


class Death(PersonEvent):
    """死亡: the person is 除籍; the 附票 line is closed."""

    event: Literal["death"]


class Transfer(WireModel):
    """転籍: the whole 戸籍 moves to a new 本籍 (in this ward or out of it)."""

    event: Literal["transfer"]
    honseki: RequiredText
    hittosha: RequiredName
    new_honseki: RequiredText
    new_honseki_municipality_code: MunicipalityCode | None = Field(
        default=None, description="本籍地 of the new 本籍 (default: this ward)"
    )
    event_date: WireDate


class Birth(WireModel):
    """出生: a child enters the 戸籍 (its 住民票コード is the 住所地's to give; usually none)."""

    event: Literal["birth"]
    honseki: RequiredText
    hittosha: RequiredName
    juminhyo_code: JuminhyoCode | None = None
    family_name: RequiredName
    given_name: RequiredName
    family_name_kana: Kana | None = None
    given_name_kana: Kana | None = None
    birth_date: WireDate
    sex: Sex
    parent_juminhyo_codes: list[JuminhyoCode] = Field(default_factory=list, max_length=2)
    event_date: WireDate


KosekiEvent = Annotated[
    Marriage | NameChange | Death | Transfer | Birth, Field(discriminator="event")
]
"""A 戸籍 event injected through the test API (as if filed at the 本籍地)."""


class CollationNoticeIn(WireModel):
    """戸籍照合通知 (住基法19条2項) queued by hand: the ward's items disagree with the 戸籍."""

    honseki: RequiredText
    hittosha: RequiredName
    juminhyo_code: JuminhyoCode | None = None
    differing_items: list[Literal["name", "birth_date", "sex", "person"]] = Field(min_length=1)
    family_name: Name | None = None
    given_name: Name | None = None
    birth_date: WireDate | None = None
    sex: Sex | None = None


class HonsekiTransferNoticeIn(WireModel):
    """本籍転属通知 (住基法19条3項) queued by hand: the person's 本籍 now belongs elsewhere."""

    juminhyo_code: JuminhyoCode
    previous_honseki: RequiredText
    previous_hittosha: RequiredName
    honseki: RequiredText
    hittosha: RequiredName
    honseki_municipality_code: MunicipalityCode
    event_date: WireDate
