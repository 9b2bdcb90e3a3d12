"""The resident record (住民票) as a full snapshot per (宛名番号, 履歴番号), spec 1.2.1."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from jumin_contracts.codes import ChangeKind, ForeignResidentCategory, ResidentType, Sex
from jumin_contracts.dates import PartialDate

from registry.domain.search_keys import kana_search_key, name_search_key


class RecordStatus(StrEnum):
    """Tell a current record from a removed one (除票) and one voided by a cancellation."""

    RESIDENT = "resident"  # 住民
    REMOVED = "removed"  # 除票
    VOID = "void"  # 異動の取消しにより記載がなかったものとされた


@dataclass(frozen=True, kw_only=True)
class Qualifications:
    """Hold the welfare qualifications printed on the record (国保・後期高齢・介護・年金・児童手当)."""

    national_health_insurance: bool = False  # 国民健康保険
    late_elderly_insurance: bool = False  # 後期高齢者医療
    long_term_care_insurance: bool = False  # 介護保険
    national_pension: bool = False  # 国民年金
    child_allowance: bool = False  # 児童手当


@dataclass(frozen=True, kw_only=True)
class Person:
    """Hold every item of one person's 住民票 (住民基本台帳法 第7条, 第30条の45).

    Household data (世帯番号, 世帯主, 続柄) is kept per person, as spec 1.2.1 asks.
    """

    status: RecordStatus = RecordStatus.RESIDENT
    resident_type: ResidentType
    household_no: str  # 世帯番号
    is_head: bool  # 世帯主
    relationship: str  # 続柄
    family_name: str  # 氏
    given_name: str  # 名
    family_name_kana: str  # 氏フリガナ
    given_name_kana: str  # 名フリガナ
    former_surname: str | None = None  # 旧氏
    former_surname_kana: str | None = None
    alias: str | None = None  # 通称 (foreign residents)
    alias_kana: str | None = None
    name_alphabet: str | None = None  # 氏名 (alphabet, foreign residents)
    birth_date: PartialDate  # 生年月日
    sex: Sex  # 性別
    honseki: str | None = None  # 本籍
    hittosha: str | None = None  # 筆頭者
    became_resident_on: PartialDate | None = None  # 住民となった年月日
    became_foreign_resident_on: PartialDate | None = None  # 外国人住民となった年月日
    address: str  # 住所 (full text)
    address_town_code: str | None = None  # 町丁目コード
    address_katagaki: str | None = None  # 方書
    postal_code: str | None = None  # 郵便番号
    address_since: PartialDate  # 住所を定めた年月日
    notified_on: date | None = None  # 届出年月日
    previous_address: str | None = None  # 従前の住所
    planned_move_out_on: date | None = None  # 転出予定日
    move_out_destination: str | None = None  # 転出先 (予定)
    confirmed_move_out_on: date | None = None  # 転出確定日 (転入通知)
    confirmed_destination: str | None = None  # 転出先 (確定)
    removed_on: PartialDate | None = None  # 消除日
    removal_kind: ChangeKind | None = None  # 消除事由
    my_number: str | None = None  # 個人番号: 12 digits as entered; sealed (mn1:…) once stored
    my_number_hash: str | None = None  # keyed hash of the 個人番号, for exact lookup
    juminhyo_code: str | None = None  # 住民票コード
    voter_registered: bool = False  # 選挙人名簿登録
    qualifications: Qualifications = field(default_factory=Qualifications)
    nationality: str | None = None  # 国籍・地域
    foreign_category: ForeignResidentCategory | None = None  # 区分
    status_of_residence: str | None = None  # 在留資格
    period_of_stay: str | None = None  # 在留期間
    stay_expires_on: date | None = None  # 在留期間の満了日
    residence_card_no: str | None = None  # 在留カード番号
    special_permanent_cert_no: str | None = None  # 特別永住者証明書番号

    @property
    def is_resident(self) -> bool:
        """Say whether the person is currently on the register (消除されていない)."""
        return self.status is RecordStatus.RESIDENT

    @property
    def kana_key(self) -> str:
        """Return the full-name kana key search compares (カナ検索キー, spec 2.1.2)."""
        return kana_search_key(self.family_name_kana + self.given_name_kana)

    @property
    def kana_key_ignoring_voicing(self) -> str:
        """Return the kana key that also ignores 清音・濁音・半濁音 (searched on request)."""
        return kana_search_key(self.family_name_kana + self.given_name_kana, ignore_voicing=True)

    @property
    def name_key(self) -> str:
        """Return the name key (氏名, 通称, alphabet) of partial-name search: no IVS, 異体字 folded."""
        names = [self.family_name + self.given_name, self.alias or "", self.name_alphabet or ""]
        return " ".join(name_search_key(n) for n in names if n)

    def evolve(self, **changes: object) -> Person:
        """Return a copy with some items changed (記載事項の修正)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True)
class KosekiBasis:
    """The 戸籍届出 a 出生 (職権記載) or 死亡 (職権消除) is recorded on (spec 4.2.0.3, 4.2.0.4)."""

    filing: str  # 届出の種類: 出生届 / 死亡届
    filed_on: (
        date  # 届出日 (戸籍届出・通知日, kept with the 住民票's 届出年月日 as spec 4.2.0.4 allows)
    )
    accepted_on: date  # 受理日
    accepted_at: str | None = None  # 受理地; None: this ward's counter
    sent_from: str | None = None  # 送付元 of the 住民票記載事項通知
    notice_received_on: date | None = None  # 通知日


@dataclass(frozen=True, kw_only=True)
class HistoryRow:
    """Hold one row of 異動履歴: the full record after a change (spec 1.2.1)."""

    atena_no: str  # 宛名番号
    history_no: int  # 履歴番号
    change_id: UUID
    change_kind: ChangeKind  # 異動事由
    occurred_on: PartialDate  # 異動日
    recorded_at: datetime  # 処理日時 (approval)
    ex_officio: bool  # 職権
    person: Person
    koseki_basis: KosekiBasis | None = None  # 出生・死亡: the 戸籍届出 it is recorded on


@dataclass(frozen=True)
class Household:
    """Hold the members of one household (世帯) at a point in time."""

    household_no: str
    members: tuple[HistoryRow, ...]

    @property
    def head(self) -> HistoryRow | None:
        """Return the head (世帯主) if there is one."""
        heads = [m for m in self.members if m.person.is_head]
        return heads[0] if heads else None
