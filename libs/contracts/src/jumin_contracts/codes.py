"""Code lists shared by every service: 異動事由, 続柄, 性別, 外国人住民の区分 (spec 1.2.2, 1.1.11)."""

from __future__ import annotations

import re
from enum import StrEnum


class ChangeCategory(StrEnum):
    """Group change kinds as the spec does: 記載, 消除, 修正, 取消 (spec 1.2.2)."""

    ENTRY = "entry"  # 記載
    REMOVAL = "removal"  # 消除
    AMENDMENT = "amendment"  # 修正
    CANCELLATION = "cancellation"  # 異動の取消し


class ChangeKind(StrEnum):
    """List the kinds of change (異動事由) the registry accepts (spec 1.2.2, chapter 4)."""

    DOMESTIC_MOVE_IN = "domestic_move_in"  # 国内転入
    MOVE_IN_FROM_ABROAD = "move_in_from_abroad"  # 国外転入
    BIRTH = "birth"  # 出生
    EX_OFFICIO_ENTRY = "ex_officio_entry"  # 職権記載
    FOREIGN_MOVE_IN_30_46 = "foreign_move_in_30_46"  # 法第30条の46転入
    NATURALIZATION = "naturalization"  # 帰化 (職権消除 + 職権記載)
    LOSS_OF_NATIONALITY = "loss_of_nationality"  # 国籍喪失 (職権消除 + 職権記載)
    DOMESTIC_MOVE_OUT = "domestic_move_out"  # 国内転出
    MOVE_OUT_ABROAD = "move_out_abroad"  # 国外転出
    DEATH = "death"  # 死亡
    EX_OFFICIO_REMOVAL = "ex_officio_removal"  # 職権消除
    MOVE_WITHIN_WARD = "move_within_ward"  # 転居
    HOUSEHOLD_SEPARATION = "household_separation"  # 世帯分離
    HOUSEHOLD_MERGER = "household_merger"  # 世帯合併
    HOUSEHOLD_TRANSFER = "household_transfer"  # 世帯変更
    HEAD_CHANGE = "head_change"  # 世帯主変更
    EX_OFFICIO_AMENDMENT = "ex_officio_amendment"  # 職権修正
    CLERICAL_CORRECTION = "clerical_correction"  # 誤記修正
    MINOR_CORRECTION = "minor_correction"  # 軽微な修正
    RESIDENCE_STATUS_30_47 = "residence_status_30_47"  # 法第30条の47届出
    MY_NUMBER_ENTRY = "my_number_entry"  # 個人番号の職権記載 (J-LIS → CS, spec 7.1.2.1)
    MOVE_IN_NOTICE = "move_in_notice"  # 転入通知受理 (spec 4.1.3.1)
    MY_NUMBER_CHANGE_REQUEST = "my_number_change_request"  # 個人番号の変更請求 (番号法7条2項)
    MY_NUMBER_EX_OFFICIO_CHANGE = "my_number_ex_officio_change"  # 職権による個人番号の変更
    JUMINHYO_CODE_CHANGE = "juminhyo_code_change"  # 住民票コードの変更請求 (住基法30条の4)
    CANCELLATION = "cancellation"  # 異動の取消し

    @property
    def japanese(self) -> str:
        """Return the Japanese name of the kind (異動事由名)."""
        return _JAPANESE[self]

    @property
    def category(self) -> ChangeCategory:
        """Return whether the kind enters, removes, amends or cancels (記載・消除・修正・取消)."""
        return _CATEGORY[self]


_JAPANESE: dict[ChangeKind, str] = {
    ChangeKind.DOMESTIC_MOVE_IN: "国内転入",
    ChangeKind.MOVE_IN_FROM_ABROAD: "国外転入",
    ChangeKind.BIRTH: "出生",
    ChangeKind.EX_OFFICIO_ENTRY: "職権記載",
    ChangeKind.FOREIGN_MOVE_IN_30_46: "法第30条の46転入",
    ChangeKind.NATURALIZATION: "帰化",
    ChangeKind.LOSS_OF_NATIONALITY: "国籍喪失",
    ChangeKind.DOMESTIC_MOVE_OUT: "国内転出",
    ChangeKind.MOVE_OUT_ABROAD: "国外転出",
    ChangeKind.DEATH: "死亡",
    ChangeKind.EX_OFFICIO_REMOVAL: "職権消除",
    ChangeKind.MOVE_WITHIN_WARD: "転居",
    ChangeKind.HOUSEHOLD_SEPARATION: "世帯分離",
    ChangeKind.HOUSEHOLD_MERGER: "世帯合併",
    ChangeKind.HOUSEHOLD_TRANSFER: "世帯変更",
    ChangeKind.HEAD_CHANGE: "世帯主変更",
    ChangeKind.EX_OFFICIO_AMENDMENT: "職権修正",
    ChangeKind.CLERICAL_CORRECTION: "誤記修正",
    ChangeKind.MINOR_CORRECTION: "軽微な修正",
    ChangeKind.RESIDENCE_STATUS_30_47: "法第30条の47届出",
    ChangeKind.MY_NUMBER_ENTRY: "個人番号の職権記載",
    ChangeKind.MOVE_IN_NOTICE: "転入通知受理",
    ChangeKind.MY_NUMBER_CHANGE_REQUEST: "個人番号の変更請求",
    ChangeKind.MY_NUMBER_EX_OFFICIO_CHANGE: "職権による個人番号の変更",
    ChangeKind.JUMINHYO_CODE_CHANGE: "住民票コードの変更",
    ChangeKind.CANCELLATION: "異動の取消し",
}

_ENTRY = {
    ChangeKind.DOMESTIC_MOVE_IN,
    ChangeKind.MOVE_IN_FROM_ABROAD,
    ChangeKind.BIRTH,
    ChangeKind.EX_OFFICIO_ENTRY,
    ChangeKind.FOREIGN_MOVE_IN_30_46,
}
_REMOVAL = {
    ChangeKind.DOMESTIC_MOVE_OUT,
    ChangeKind.MOVE_OUT_ABROAD,
    ChangeKind.DEATH,
    ChangeKind.EX_OFFICIO_REMOVAL,
}
_CATEGORY: dict[ChangeKind, ChangeCategory] = {
    kind: (
        ChangeCategory.ENTRY
        if kind in _ENTRY
        else ChangeCategory.REMOVAL
        if kind in _REMOVAL
        else ChangeCategory.CANCELLATION
        if kind is ChangeKind.CANCELLATION
        else ChangeCategory.AMENDMENT
    )
    for kind in ChangeKind
}


class Sex(StrEnum):
    """List the values of 性別."""

    MALE = "male"  # 男
    FEMALE = "female"  # 女


class ResidentType(StrEnum):
    """Tell Japanese residents (日本人住民) from foreign residents (外国人住民, 法第30条の45)."""

    JAPANESE = "japanese"
    FOREIGN = "foreign"


class ForeignResidentCategory(StrEnum):
    """List the 区分 of a foreign resident (法第30条の45の表)."""

    MID_LONG_TERM = "mid_long_term"  # 中長期在留者
    SPECIAL_PERMANENT = "special_permanent"  # 特別永住者
    TEMPORARY_REFUGE = "temporary_refuge"  # 一時庇護許可者
    PROVISIONAL_STAY = "provisional_stay"  # 仮滞在許可者
    TRANSITIONAL = "transitional"  # 出生による経過滞在者・国籍喪失による経過滞在者


RESIDENCE_CARD_NO = re.compile(r"^[A-Z]{2}[0-9]{8}[A-Z]{2}$")
"""在留カード番号: two letters, eight digits, two letters."""

SPECIAL_PERMANENT_CERT_NO = re.compile(r"^[A-Z]{2}[0-9]{8}[A-Z]{2}$")
"""特別永住者証明書番号: same shape as the residence card number."""

_KIN = ("父", "母", "兄", "姉", "弟", "妹", "子", "夫", "妻", "祖父", "祖母", "孫")
_BASE_RELATIONSHIPS = frozenset(
    {
        "世帯主",
        "夫",
        "妻",
        "夫(未届)",
        "妻(未届)",
        "子",
        "父",
        "母",
        "兄",
        "姉",
        "弟",
        "妹",
        "祖父",
        "祖母",
        "孫",
        "縁故者",
        "同居人",
    }
)
HEAD = "世帯主"


def is_valid_relationship(value: str) -> bool:
    """Check a 続柄 to the head: a base term or a chain joined by の of up to four terms (spec 1.1.11).

    Examples: 世帯主, 妻, 子, 妻(未届), 子の妻, 妻の父, 子の子の妻, 縁故者, 同居人.
    """
    value = value.replace("（", "(").replace("）", ")")
    if value in _BASE_RELATIONSHIPS:
        return True
    parts = value.split("の")
    if not 2 <= len(parts) <= 4:
        return False
    return all(part in _KIN or part in {"夫(未届)", "妻(未届)"} for part in parts)
