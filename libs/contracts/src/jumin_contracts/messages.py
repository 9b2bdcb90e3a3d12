"""Per-recipient message models: what each authorised recipient may receive (docs/domain.md).

One model per routing key ``<recipient>.<message>``; each forbids extra fields, so a field its
recipient is not entitled to is an error at the registry (which validates before publishing) and at
the adapter (which validates on receipt), never a silent disclosure.  The registry's declarative
policy (``registry/policy/recipients.toml``) must name exactly the fields of these models.

Conventions:

- 年月日 that may be partly unknown (生年月日, 異動日, 住所を定めた年月日 …) travel in the
  `PartialDate` storage form (``2021-04-05``, ``2021~``, ``xxxx-xx-xx``); `StoredDate` checks it.
- 個人番号 travels as its plain 12 digits: the registry keeps it sealed at rest and unseals it only
  while projecting a message whose policy grants it; the receiving adapter owns its protection.
- 異動事由 and 異動日 are repeated in the payload (they are among the recipient's items in
  docs/domain.md); the envelope's copies are there for routing and ordering.
"""

from __future__ import annotations

import functools
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from jumin_contracts.characters import has_private_use, private_use_positions
from jumin_contracts.codes import ChangeKind, ForeignResidentCategory, ResidentType, Sex
from jumin_contracts.dates import PartialDate


@functools.lru_cache(maxsize=65_536)
def _stored_date(value: str) -> str:
    """Accept only the lossless storage form of a 年月日 (保存形式), unchanged.

    Cached (a refusal raises, so it is not): every consumer validates every date of every
    message, and the same dates come again and again (bench/pipeline: 4 % of a kit's CPU).
    """
    PartialDate.from_storage(value)
    return value


StoredDate = Annotated[str, AfterValidator(_stored_date)]
"""A 年月日 in the `PartialDate` storage form (2021-04-05, 2021~, 2021-xx-xx, xxxx-xx-xx)."""

JuminhyoCode = Annotated[str, Field(pattern=r"^[0-9]{11}$")]
MyNumber = Annotated[str, Field(pattern=r"^[0-9]{12}$")]
TenDigits = Annotated[str, Field(pattern=r"^[0-9]{10}$")]


class RecordState(StrEnum):
    """Say whether a record is on the register (記載), removed (消除) or voided by a 取消."""

    RESIDENT = "resident"  # 記載 (住民)
    REMOVED = "removed"  # 消除 (除票)
    VOID = "void"  # 異動の取消しにより記載がなかったものとされた


class NoticeClass(StrEnum):
    """Classify a 市町村通知 to 出入国在留管理庁 (spec 4.5.7, 入管法61条の8の2)."""

    JUKI_AND_IMMIGRATION = "juki_and_immigration"  # 住基法・入管法 (みなし住居地届出を伴う)
    IMMIGRATION = "immigration"  # 入管法 (入管法上の手続のみ)
    JUKI = "juki"  # 住基法 (住民票の記載・消除・修正のみ)


class CharacterForm(StrEnum):
    """Say which characters a recipient's text fields carry (docs/domain.md, "Characters")."""

    MJ = "mj"  # 文字情報基盤文字 only: a 外字 travels as its substitute (spec 7.2.3)
    WITH_GAIJI = (
        "with_gaiji"  # the ward's 外字 as their private-use code points, printed from the glyph
    )


class RecipientMessage(BaseModel):
    """Base of every recipient message: frozen, extra fields refused, schema name@version.

    `CHARACTERS` is the recipient's character contract: an `MJ` message refuses private-use
    characters (外字), so the registry must send their substitutes and an adapter never receives
    a code point its external system cannot carry.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    ROUTING_KEY: ClassVar[str]
    VERSION: ClassVar[int] = 1
    CHARACTERS: ClassVar[CharacterForm] = CharacterForm.MJ

    @model_validator(mode="after")
    def _carry_only_the_agreed_characters(self) -> RecipientMessage:
        if self.CHARACTERS is CharacterForm.MJ:
            texts = {k: v for k, v in self.__dict__.items() if isinstance(v, str)}
            if has_private_use("".join(texts.values())):  # one scan; rare: find the field
                for name, value in texts.items():
                    for position, char in private_use_positions(value)[:1]:
                        raise ValueError(
                            f"{name}: {position}文字目 (U+{ord(char):04X}) は外字です。"
                            "代替文字 (文字情報基盤文字) で送ってください / "
                            "a 外字 must travel as its MJ substitute"
                        )
        return self

    @classmethod
    def schema_id(cls) -> str:
        """Return the schema identifier ``<routing key>@<version>`` (e.g. cs.identity@1)."""
        return f"{cls.ROUTING_KEY}@{cls.VERSION}"


class _ChangeItems(RecipientMessage):
    change_kind: ChangeKind = Field(description="異動事由")
    occurred_on: StoredDate = Field(description="異動日 (保存形式)")


class CsIdentity(_ChangeItems):
    """本人確認情報 for 住基ネット 市町村CS (住民基本台帳法第30条の6)."""

    ROUTING_KEY: ClassVar[str] = "cs.identity"

    family_name: str = Field(description="氏")
    given_name: str = Field(description="名")
    family_name_kana: str = Field(description="氏の振り仮名")
    given_name_kana: str = Field(description="名の振り仮名")
    former_surname: str | None = Field(description="旧氏")
    former_surname_kana: str | None = Field(description="旧氏の振り仮名")
    alias: str | None = Field(description="通称 (外国人住民)")
    alias_kana: str | None = Field(description="通称の振り仮名")
    name_alphabet: str | None = Field(description="氏名 (アルファベット, 外国人住民)")
    birth_date: StoredDate = Field(description="生年月日 (保存形式)")
    sex: Sex = Field(description="性別")
    address: str = Field(description="住所")
    juminhyo_code: JuminhyoCode | None = Field(description="住民票コード (付番前は空)")
    my_number: MyNumber | None = Field(
        description="個人番号 (平文12桁; 登録システムが送信時に復号する。付番前は空)"
    )
    record_status: RecordState = Field(description="記載・消除の別")
    previous_juminhyo_code: JuminhyoCode | None = Field(
        description="変更前の住民票コード (住民票コードが変わったときだけ; CSはこれで本人を引き継ぐ)",
    )


IDENTITY_ITEMS: tuple[str, ...] = tuple(
    name
    for name in CsIdentity.model_fields
    if name not in _ChangeItems.model_fields and name != "previous_juminhyo_code"
)
"""The 本人確認情報 items proper (住基法30条の6), in the contract's order: every field of
`CsIdentity` but the change's kind and date. The one list the registry's policy, the adapter's
整合性確認 and the tests take theirs from."""


class CsMyNumberChangeRequest(_ChangeItems):
    """個人番号の変更要求 to J-LIS through 市町村CS (番号法7条2項; spec 7.1.2.1).

    Sent when a 個人番号の変更請求 or a 職権による変更 is approved; J-LIS answers with a new
    number, which comes back as `registry.my_number_assigned` and is recorded like the first.
    """

    ROUTING_KEY: ClassVar[str] = "cs.my_number_change"

    juminhyo_code: JuminhyoCode = Field(description="住民票コード (変更要求の対象者)")


class CsMoveOutCertificate(_ChangeItems):
    """転出証明書情報 for 住基ネット 市町村CS (住民基本台帳法第24条の2, 特例転出).

    Sent when a 国内転出 is recorded, so the municipality moved to can take the 転入 on the
    転出証明書情報 CS holds (spec 7.1.1.1). Only Japanese residents' and foreign residents' items
    that a 転出証明書 carries (住基法施行令第23条), none of the other record items.
    """

    ROUTING_KEY: ClassVar[str] = "cs.moveout_certificate"

    family_name: str = Field(description="氏")
    given_name: str = Field(description="名")
    birth_date: StoredDate = Field(description="生年月日 (保存形式)")
    sex: Sex = Field(description="性別")
    address: str = Field(description="住所 (転出前)")
    destination: str = Field(description="転出先 (予定)")
    planned_on: date = Field(description="転出予定年月日")
    head_name: str | None = Field(description="世帯主の氏名")
    relationship: str = Field(description="世帯主との続柄")
    juminhyo_code: JuminhyoCode | None = Field(description="住民票コード")
    my_number: MyNumber | None = Field(
        description="個人番号 (平文12桁; 登録システムが送信時に復号する)"
    )


class _FuhyoItems(_ChangeItems):
    """戸籍の附票の記載事項 (住民基本台帳法第17条) carried by a 附票記載事項通知 (第19条)."""

    honseki: str = Field(description="本籍")
    hittosha: str | None = Field(description="筆頭者")
    family_name: str = Field(description="氏")
    given_name: str = Field(description="名")
    address: str | None = Field(description="住所 (国外転出者は空)")
    moved_abroad: bool = Field(description="国外転出をした旨")
    abroad_country: str | None = Field(description="国外転出先の国・地域")
    address_since: StoredDate = Field(
        description="住所を定めた年月日 (国外転出者は国外転出の年月日)"
    )
    birth_date: StoredDate = Field(description="生年月日 (保存形式)")
    sex: Sex = Field(description="性別")
    juminhyo_code: JuminhyoCode | None = Field(description="住民票コード")


class CsFuhyoNotice(_FuhyoItems):
    """戸籍附票記載事項通知 to a 本籍地 outside the ward, through CS (住民基本台帳法第19条)."""

    ROUTING_KEY: ClassVar[str] = "cs.fuhyo_notice"

    destination_municipality: str | None = Field(
        description="通知先 (本籍地) の都道府県・市区町村名, 本籍の表記から"
    )
    destination_municipality_code: str | None = Field(
        pattern=r"^[0-9]{6}$",
        description="通知先の地方公共団体コード (登録システムは保持しない; CSが本籍から解決する)",
    )


class KosekiFuhyoNotice(_FuhyoItems):
    """戸籍附票記載事項通知 to the ward's own 戸籍附票システム (管内本籍者, 住民基本台帳法第19条)."""

    ROUTING_KEY: ClassVar[str] = "koseki.fuhyo_notice"


class MojMunicipalNotice(_ChangeItems):
    """市町村通知 to 出入国在留管理庁 about a foreign resident (入管法第61条の8の2).

    With the envelope's 届出日 (`notified_on`) it also carries what a 市町村伝達 (入管令2条) needs:
    a 住居地届出's article follows from ``change_kind`` (転入・法第30条の46転入 → 19条の7,
    法第30条の47届出 → 19条の8, 転居 → 19条の9).

    Version: ``previous_address`` (前住所) was added to version 1 in place, not as a version 2
    (docs/architecture.md: a breaking change is a new version consumed side by side). No
    ``moj.municipal_notice@1`` was ever published: the recipient was not routed
    (`Recipient("moj", …, routed=False)`), so the registry projected none and no consumer ever
    read one; a version 2 would have sat beside a version 1 nobody saw. From the first routing of
    ``moj`` on, changes are additive or a new version, as for every other message.
    """

    ROUTING_KEY: ClassVar[str] = "moj.municipal_notice"

    name_alphabet: str | None = Field(description="氏名 (アルファベット)")
    family_name: str = Field(description="氏 (漢字等)")
    given_name: str = Field(description="名 (漢字等)")
    birth_date: StoredDate = Field(description="生年月日 (保存形式)")
    sex: Sex = Field(description="性別")
    nationality: str = Field(description="国籍・地域")
    address: str = Field(description="住居地 (住所)")
    previous_address: str | None = Field(
        description="前住所: 転入 (国内・国外・法第30条の46) の従前の住所 (国外からは国・地域と国外の"
        "住所; 届出になければ空), 転居の前の住所; それ以外の異動では空"
    )
    foreign_category: ForeignResidentCategory = Field(description="区分")
    status_of_residence: str | None = Field(description="在留資格")
    period_of_stay: str | None = Field(description="在留期間")
    stay_expires_on: date | None = Field(description="在留期間の満了日")
    residence_card_no: str | None = Field(description="在留カード番号")
    special_permanent_cert_no: str | None = Field(description="特別永住者証明書番号")
    notice_class: NoticeClass = Field(description="通知区分 (住基法・入管法 / 入管法 / 住基法)")


class IntermediateHouseholdInfo(_ChangeItems):
    """住民票関係情報 for the 団体内統合宛名システム → 中間サーバー (番号法19条8号; spec 7.1.2.3).

    Per person: 住民基本台帳法7条4号 (世帯主である旨, or 世帯主の氏名 and 続柄), 世帯番号 and
    記載・消除・取消; for the 統合宛名, the 住記宛名番号 it links to its own 団体内統合宛名番号
    (never that number: 住記 does not import it), 住民票コード, 個人番号 (名寄せ, 符号取得) and
    the 基本4情報.  Grounds for the numbers: docs/domain.md, "Recipients".

    Version 2 replaces version 1 (the 宛名番号 posing as the 統合宛名番号, no record status)
    rather than living beside it: the recipient was never routed, so no version 1 was ever
    projected or consumed (docs/architecture.md, "The envelope"); the version still goes up so
    a reader written for version 1 refuses these by schema.  From its first routing on, the rule holds.
    """

    ROUTING_KEY: ClassVar[str] = "intermediate.household_info"
    VERSION: ClassVar[int] = 2

    juki_atena_no: TenDigits = Field(
        description="住記宛名番号: 統合宛名が団体内統合宛名番号に紐付ける鍵 (統合宛名番号ではない)"
    )
    juminhyo_code: JuminhyoCode | None = Field(description="住民票コード (名寄せ; 付番前は空)")
    my_number: MyNumber | None = Field(
        description="個人番号 (平文12桁; 名寄せと符号取得のため。付番前は空)"
    )
    family_name: str = Field(description="氏 (基本4情報)")
    given_name: str = Field(description="名 (基本4情報)")
    birth_date: StoredDate = Field(description="生年月日 (基本4情報, 保存形式)")
    sex: Sex = Field(description="性別 (基本4情報)")
    address: str = Field(description="住所 (基本4情報)")
    record_status: RecordState = Field(description="記載・消除・取消の別")
    household_no: TenDigits = Field(description="世帯番号")
    is_head: bool = Field(description="世帯主である旨 (住基法7条4号)")
    head_name: str | None = Field(description="世帯主の氏名 (世帯主でない者のみ; 世帯主には空)")
    relationship: str | None = Field(
        description="世帯主との続柄 (世帯主でない者のみ; 世帯主には空)"
    )

    @model_validator(mode="after")
    def _head_or_member_items(self) -> IntermediateHouseholdInfo:
        """Carry 7条4号 as the law words it: the head's 旨, or a member's 世帯主氏名 and 続柄."""
        if self.is_head and (self.head_name is not None or self.relationship is not None):
            raise ValueError(
                "世帯主には世帯主の氏名・続柄を付けません / a head carries no head_name or "
                "relationship"
            )
        if not self.is_head and self.relationship is None:
            raise ValueError("世帯員には続柄が必要です / a member needs a relationship")
        return self


class Qualifications(BaseModel):
    """国保・後期高齢・介護・国民年金・児童手当の資格 as printed on the 住民票."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    national_health_insurance: bool = Field(description="国民健康保険")
    late_elderly_insurance: bool = Field(description="後期高齢者医療")
    long_term_care_insurance: bool = Field(description="介護保険")
    national_pension: bool = Field(description="国民年金")
    child_allowance: bool = Field(description="児童手当")


class CertificatesRecord(_ChangeItems):
    """Everything a 証明書 prints, for the certificates read model (区の内部利用)."""

    ROUTING_KEY: ClassVar[str] = "certificates.record"
    CHARACTERS: ClassVar[CharacterForm] = CharacterForm.WITH_GAIJI  # printed from the glyph

    atena_no: TenDigits = Field(description="宛名番号 (窓口での検索用)")
    history_no: int = Field(ge=1, description="履歴番号")
    record_status: RecordState = Field(description="住民・除票・取消の別")
    resident_type: ResidentType = Field(description="日本人住民・外国人住民")
    household_no: TenDigits = Field(description="世帯番号")
    is_head: bool = Field(description="世帯主であるか")
    head_name: str | None = Field(description="世帯主の氏名")
    relationship: str = Field(description="続柄")
    family_name: str = Field(description="氏")
    given_name: str = Field(description="名")
    family_name_kana: str = Field(description="氏の振り仮名")
    given_name_kana: str = Field(description="名の振り仮名")
    former_surname: str | None = Field(description="旧氏")
    former_surname_kana: str | None = Field(description="旧氏の振り仮名")
    alias: str | None = Field(description="通称")
    alias_kana: str | None = Field(description="通称の振り仮名")
    name_alphabet: str | None = Field(description="氏名 (アルファベット)")
    birth_date: StoredDate = Field(description="生年月日")
    sex: Sex = Field(description="性別")
    honseki: str | None = Field(description="本籍")
    hittosha: str | None = Field(description="筆頭者")
    became_resident_on: StoredDate | None = Field(description="住民となった年月日")
    became_foreign_resident_on: StoredDate | None = Field(description="外国人住民となった年月日")
    address: str = Field(description="住所")
    address_town_code: str | None = Field(description="町丁目コード")
    address_katagaki: str | None = Field(description="方書")
    postal_code: str | None = Field(description="郵便番号")
    address_since: StoredDate = Field(description="住所を定めた年月日")
    notified_on: date | None = Field(description="届出年月日")
    previous_address: str | None = Field(description="従前の住所")
    planned_move_out_on: date | None = Field(description="転出予定日")
    move_out_destination: str | None = Field(description="転出先 (予定)")
    confirmed_move_out_on: date | None = Field(description="転出確定日")
    confirmed_destination: str | None = Field(description="転出先 (確定)")
    removed_on: StoredDate | None = Field(description="消除日")
    removal_kind: ChangeKind | None = Field(description="消除事由")
    my_number: MyNumber | None = Field(description="個人番号 (平文12桁)")
    juminhyo_code: JuminhyoCode | None = Field(description="住民票コード")
    voter_registered: bool = Field(description="選挙人名簿登録")
    qualifications: Qualifications = Field(
        description="資格 (国保・後期高齢・介護・年金・児童手当)"
    )
    nationality: str | None = Field(description="国籍・地域")
    foreign_category: ForeignResidentCategory | None = Field(description="区分")
    status_of_residence: str | None = Field(description="在留資格")
    period_of_stay: str | None = Field(description="在留期間")
    stay_expires_on: date | None = Field(description="在留期間の満了日")
    residence_card_no: str | None = Field(description="在留カード番号")
    special_permanent_cert_no: str | None = Field(description="特別永住者証明書番号")
    support_measure_active: bool = Field(description="支援措置の対象であるか")
    seal_registered: bool = Field(description="印鑑登録の有無")


MESSAGE_MODELS: dict[str, type[RecipientMessage]] = {
    model.ROUTING_KEY: model
    for model in (
        CsIdentity,
        CsFuhyoNotice,
        CsMoveOutCertificate,
        CsMyNumberChangeRequest,
        KosekiFuhyoNotice,
        MojMunicipalNotice,
        IntermediateHouseholdInfo,
        CertificatesRecord,
    )
}
"""Every recipient message model by routing key ``<recipient>.<message>``."""
