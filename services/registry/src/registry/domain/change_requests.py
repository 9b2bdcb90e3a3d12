"""Change requests (異動の届出・職権処理) as staff enter them; one model per shape of change."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from jumin_contracts.characters import TextKind, check_text
from jumin_contracts.codes import ChangeKind, ForeignResidentCategory, ResidentType, Sex
from jumin_contracts.dates import PartialDateField
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from registry.domain.characters import kind_of

AtenaNo = Annotated[
    str, Field(pattern=r"^[0-9]{10}$", description="宛名番号 (10 digits incl. check digit)")
]
HouseholdNo = Annotated[
    str, Field(pattern=r"^[0-9]{10}$", description="世帯番号 (10 digits incl. check digit)")
]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Relationships = Annotated[
    dict[AtenaNo, Text],
    Field(description="続柄 to the (new) 世帯主, keyed by 宛名番号"),
]


def _check_strings(value: object, kind: TextKind) -> None:
    """Check every string in a value (lists and 続柄 maps too) against its field's repertoire.

    Private-use characters pass here: whether they are registered 外字 is the registry's question
    (`service_layer.characters`), asked inside the transaction.
    """
    if isinstance(value, str):
        check_text(value, kind)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, TextKind.FREE)
            _check_strings(item, TextKind.FREE)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_strings(item, TextKind.FREE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_characters(cls, value: object, info: ValidationInfo) -> object:
        """Refuse characters a 住民票 cannot carry, naming the position and the code point.

        Control, bidi, zero-width and other format characters, unassigned code points and lone
        surrogates in any field (NUL among them: PostgreSQL text cannot hold it); emoji, symbols
        and scripts outside the MJ set, kana and Latin in names (spec 7.2.3: 文字情報基盤文字).
        """
        kind = kind_of(info.field_name or "")
        _check_strings(value, kind)
        return value


class QualificationsIn(_Strict):
    """資格 (国保・後期高齢・介護・国民年金・児童手当)."""

    national_health_insurance: bool = False
    late_elderly_insurance: bool = False
    long_term_care_insurance: bool = False
    national_pension: bool = False
    child_allowance: bool = False


class ForeignDetails(_Strict):
    """外国人住民の記載事項: 国籍・地域, 区分, 在留資格, 在留期間, 満了日, 在留カード番号."""

    nationality: Text = Field(description="国籍・地域")
    name_alphabet: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="氏名 (アルファベット)"
    )
    foreign_category: ForeignResidentCategory = Field(description="区分")
    status_of_residence: Text | None = Field(default=None, description="在留資格")
    period_of_stay: Text | None = Field(default=None, description="在留期間")
    stay_expires_on: date | None = Field(default=None, description="在留期間の満了日")
    residence_card_no: str | None = Field(default=None, description="在留カード番号 (AA12345678BC)")
    special_permanent_cert_no: str | None = Field(default=None, description="特別永住者証明書番号")
    alias: Text | None = Field(default=None, description="通称")
    alias_kana: Text | None = Field(default=None, description="通称フリガナ")


class NewPerson(_Strict):
    """One person entered by a 記載 change (転入・出生・職権記載)."""

    resident_type: ResidentType = Field(description="日本人住民 / 外国人住民")
    family_name: Text = Field(description="氏")
    given_name: Text = Field(description="名")
    family_name_kana: Text = Field(description="氏フリガナ")
    given_name_kana: Text = Field(description="名フリガナ")
    former_surname: Text | None = Field(default=None, description="旧氏")
    former_surname_kana: Text | None = Field(default=None, description="旧氏フリガナ")
    birth_date: PartialDateField = Field(description="生年月日 (和暦・西暦・不詳日)")
    sex: Sex = Field(description="性別")
    relationship: Text = Field(description="続柄 (世帯主 for the head)")
    honseki: Text | None = Field(default=None, description="本籍 (日本人住民)")
    hittosha: Text | None = Field(default=None, description="筆頭者 (日本人住民)")
    foreign: ForeignDetails | None = Field(default=None, description="外国人住民の記載事項")
    my_number: str | None = Field(default=None, pattern=r"^[0-9]{12}$", description="個人番号")
    juminhyo_code: str | None = Field(
        default=None, pattern=r"^[0-9]{11}$", description="住民票コード (転出証明書から)"
    )
    voter_registered: bool = Field(default=False, description="選挙人名簿登録")
    qualifications: QualificationsIn = Field(default_factory=QualificationsIn)


class KosekiFilingIn(_Strict):
    """戸籍届出 (出生届・死亡届) on which a 出生 / 死亡 is recorded 職権 (spec 4.2.0.3, 4.2.0.4).

    The 届出日 is the change's ``notified_on``; these are the other facts of the 届出. Omitted:
    the 届出 was accepted at this ward's counter on its 届出日.
    """

    accepted_on: date | None = Field(default=None, description="受理日 (省略時は届出日)")
    accepted_at: Text | None = Field(
        default=None, description="受理地 (市区町村名; 省略時は本区の窓口で受理)"
    )
    sent_from: Text | None = Field(
        default=None, description="送付元 (住民票記載事項通知を送ってきた市区町村)"
    )
    notice_received_on: date | None = Field(default=None, description="通知日 (通知の受領日)")


class _ChangeBase(_Strict):
    occurred_on: PartialDateField = Field(description="異動日")
    notified_on: date | None = Field(default=None, description="届出日 (職権処理ではなし)")
    note: Annotated[str, Field(max_length=500)] | None = Field(default=None, description="備考")


class EntryChange(_ChangeBase):
    """記載: 国内転入, 国外転入, 出生, 職権記載, 法第30条の46転入."""

    kind: Literal[
        ChangeKind.DOMESTIC_MOVE_IN,
        ChangeKind.MOVE_IN_FROM_ABROAD,
        ChangeKind.BIRTH,
        ChangeKind.EX_OFFICIO_ENTRY,
        ChangeKind.FOREIGN_MOVE_IN_30_46,
    ]
    persons: list[NewPerson] = Field(min_length=1, max_length=30, description="異動者")
    address: Text | None = Field(default=None, description="住所 (新宿区内; 新しい世帯のとき)")
    join_household_no: HouseholdNo | None = Field(default=None, description="既存世帯へ入る場合")
    previous_address: Text | None = Field(default=None, description="従前の住所 (国内)")
    previous_country: Text | None = Field(default=None, description="従前の住所 (国外の国・地域)")
    koseki_filing: KosekiFilingIn | None = Field(
        default=None, description="出生・死亡: 基となった戸籍届出 (受理日・受理地・送付元・通知日)"
    )


class RemovalChange(_ChangeBase):
    """消除: 国内転出 (転出予定日), 国外転出, 死亡, 職権消除."""

    kind: Literal[
        ChangeKind.DOMESTIC_MOVE_OUT,
        ChangeKind.MOVE_OUT_ABROAD,
        ChangeKind.DEATH,
        ChangeKind.EX_OFFICIO_REMOVAL,
    ]
    atena_nos: list[AtenaNo] = Field(min_length=1, max_length=30, description="異動者")
    destination: Text | None = Field(default=None, description="転出先 (国内: 都道府県市区町村…)")
    destination_country: Text | None = Field(default=None, description="転出先の国・地域 (国外)")
    koseki_filing: KosekiFilingIn | None = Field(
        default=None, description="出生・死亡: 基となった戸籍届出 (受理日・受理地・送付元・通知日)"
    )


class MoveWithinWard(_ChangeBase):
    """転居: a whole household, or some members who form or join a household at the new address."""

    kind: Literal[ChangeKind.MOVE_WITHIN_WARD]
    atena_nos: list[AtenaNo] = Field(min_length=1, max_length=30, description="異動者")
    address: Text = Field(description="新住所 (新宿区内)")
    new_head: AtenaNo | None = Field(default=None, description="一部転居で新世帯を作るときの世帯主")
    join_household_no: HouseholdNo | None = Field(default=None, description="転居先の既存世帯")
    relationships: Relationships = Field(default_factory=dict)


class HouseholdSeparation(_ChangeBase):
    """世帯分離: members leave their household and form a new one at the same address."""

    kind: Literal[ChangeKind.HOUSEHOLD_SEPARATION]
    atena_nos: list[AtenaNo] = Field(min_length=1, max_length=30)
    new_head: AtenaNo = Field(description="新世帯の世帯主")
    relationships: Relationships = Field(default_factory=dict)


class HouseholdMerger(_ChangeBase):
    """世帯合併: a whole household joins another at the same address."""

    kind: Literal[ChangeKind.HOUSEHOLD_MERGER]
    household_no: HouseholdNo = Field(description="合併する世帯")
    into_household_no: HouseholdNo = Field(description="合併先の世帯")
    relationships: Relationships


class HouseholdTransfer(_ChangeBase):
    """世帯変更: members move from their household to another at the same address."""

    kind: Literal[ChangeKind.HOUSEHOLD_TRANSFER]
    atena_nos: list[AtenaNo] = Field(min_length=1, max_length=30)
    into_household_no: HouseholdNo
    relationships: Relationships


class HeadChange(_ChangeBase):
    """世帯主変更: another member becomes head; every other member gets a 続柄 to them."""

    kind: Literal[ChangeKind.HEAD_CHANGE]
    household_no: HouseholdNo
    new_head: AtenaNo
    relationships: Relationships


class PersonPatch(_Strict):
    """Items a correction may change (修正事項); omitted items stay as they are."""

    family_name: Text | None = None
    given_name: Text | None = None
    family_name_kana: Text | None = None
    given_name_kana: Text | None = None
    former_surname: Text | None = None
    former_surname_kana: Text | None = None
    alias: Text | None = None
    alias_kana: Text | None = None
    name_alphabet: Text | None = None
    birth_date: PartialDateField | None = None
    sex: Sex | None = None
    honseki: Text | None = None
    hittosha: Text | None = None
    nationality: Text | None = None
    address: Text | None = Field(
        default=None,
        description="住所 (区内): 軽微な修正で表記だけを改める (8-1 → 8番1号); 住所が変われば転居",
    )
    address_katagaki: Annotated[str, Field(max_length=200)] | None = None
    postal_code: str | None = Field(default=None, pattern=r"^[0-9]{7}$")
    voter_registered: bool | None = None
    qualifications: QualificationsIn | None = None


class Amendment(_ChangeBase):
    """修正: 職権修正, 誤記修正, 軽微な修正 of one person's items."""

    kind: Literal[
        ChangeKind.EX_OFFICIO_AMENDMENT,
        ChangeKind.CLERICAL_CORRECTION,
        ChangeKind.MINOR_CORRECTION,
    ]
    atena_no: AtenaNo
    patch: PersonPatch


class ResidenceStatusChange(_ChangeBase):
    """法第30条の47届出 and 入管法 changes: 在留資格, 期間, 満了日, カード番号, 区分."""

    kind: Literal[ChangeKind.RESIDENCE_STATUS_30_47]
    atena_no: AtenaNo
    foreign: ForeignDetails


class Naturalization(_ChangeBase):
    """帰化: the foreign record is closed and a Japanese one opened, keeping numbers and address."""

    kind: Literal[ChangeKind.NATURALIZATION]
    atena_no: AtenaNo
    family_name: Text
    given_name: Text
    family_name_kana: Text
    given_name_kana: Text
    honseki: Text
    hittosha: Text


class LossOfNationality(_ChangeBase):
    """国籍喪失: the Japanese record is closed and a foreign one opened, keeping numbers and address."""

    kind: Literal[ChangeKind.LOSS_OF_NATIONALITY]
    atena_no: AtenaNo
    foreign: ForeignDetails


class MyNumberEntry(_ChangeBase):
    """個人番号の職権記載: the number J-LIS generated (via CS), or one missing by mistake (令12条3項)."""

    kind: Literal[ChangeKind.MY_NUMBER_ENTRY]
    atena_no: AtenaNo
    my_number: str = Field(pattern=r"^[0-9]{12}$", description="個人番号")


class MyNumberChange(_ChangeBase):
    """個人番号の変更: 本人の請求 (番号法7条2項, 施行令3条4項) or 職権 (施行令4条1項); spec 4.4, 7.1.2.1.

    Approval records the request and sends CS the 変更要求; the new number J-LIS generates comes
    back as a command and is recorded like the first (個人番号の職権記載).
    """

    kind: Literal[ChangeKind.MY_NUMBER_CHANGE_REQUEST, ChangeKind.MY_NUMBER_EX_OFFICIO_CHANGE]
    atena_no: AtenaNo
    reason: Text = Field(description="変更の理由 (例: 個人番号が漏えいして不正に用いられるおそれ)")


class JuminhyoCodeChange(_ChangeBase):
    """住民票コードの変更請求 (住基法30条の4; spec 4.3.2): a new code from the pool (spec 4.3.1)."""

    kind: Literal[ChangeKind.JUMINHYO_CODE_CHANGE]
    atena_no: AtenaNo


class MoveInNotice(_ChangeBase):
    """転入通知受理: 転出 date and address as confirmed by the new municipality (spec 4.1.3.1.1).

    The 異動日 is the day the notice was received; the 予定 values of the 転出 are kept beside it.
    """

    kind: Literal[ChangeKind.MOVE_IN_NOTICE]
    atena_no: AtenaNo
    confirmed_on: date = Field(description="転出年月日 (確定)")
    confirmed_destination: Text = Field(description="転出先住所 (確定)")


class Cancellation(_ChangeBase):
    """異動の取消し: restore everyone an approved change touched (spec 4.6)."""

    kind: Literal[ChangeKind.CANCELLATION]
    target_change_id: UUID = Field(description="取り消す異動")
    reason: Text = Field(description="取消の理由")
    also_cancel: list[UUID] = Field(
        default_factory=list,
        max_length=50,
        description=(
            "まとめて取り消す後の異動: 取り消す異動に依存する異動 (409 の dependent_changes) を"
            "すべて挙げると、一つの取消しとして審査・決裁される"
        ),
    )


ChangeRequest = Annotated[
    EntryChange
    | RemovalChange
    | MoveWithinWard
    | HouseholdSeparation
    | HouseholdMerger
    | HouseholdTransfer
    | HeadChange
    | Amendment
    | ResidenceStatusChange
    | Naturalization
    | LossOfNationality
    | MyNumberEntry
    | MyNumberChange
    | JuminhyoCodeChange
    | MoveInNotice
    | Cancellation,
    Field(discriminator="kind"),
]
