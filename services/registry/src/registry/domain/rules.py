"""Rules every change must satisfy: dates (spec 4.0.3), persons' items, 続柄, households (4.0.4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from jumin_contracts.check_digits import is_valid_juminhyo_code, is_valid_my_number
from jumin_contracts.codes import (
    HEAD,
    RESIDENCE_CARD_NO,
    SPECIAL_PERMANENT_CERT_NO,
    ChangeKind,
    ForeignResidentCategory,
    ResidentType,
    is_valid_relationship,
)
from jumin_contracts.dates import PartialDate
from jumin_contracts.kana import is_kana

from registry.domain.change_requests import ForeignDetails
from registry.domain.errors import RuleViolation, StateConflict
from registry.domain.model import HistoryRow, Person

LATE_FILING_DAYS = 14
"""住民基本台帳法: 転入・転居・転出 are filed within 14 days; a later 転出 is recorded 職権."""

MOVE_OUT_KINDS = frozenset({ChangeKind.DOMESTIC_MOVE_OUT, ChangeKind.MOVE_OUT_ABROAD})
"""転出 (国内・国外): filed in advance with a 転出予定日 as 異動日, which may be in the future."""

FILED_KINDS = frozenset(
    {
        ChangeKind.DOMESTIC_MOVE_IN,
        ChangeKind.MOVE_IN_FROM_ABROAD,
        ChangeKind.BIRTH,
        ChangeKind.FOREIGN_MOVE_IN_30_46,
        ChangeKind.DOMESTIC_MOVE_OUT,
        ChangeKind.MOVE_OUT_ABROAD,
        ChangeKind.MOVE_WITHIN_WARD,
        ChangeKind.HOUSEHOLD_SEPARATION,
        ChangeKind.HOUSEHOLD_MERGER,
        ChangeKind.HOUSEHOLD_TRANSFER,
        ChangeKind.HEAD_CHANGE,
        ChangeKind.RESIDENCE_STATUS_30_47,
        ChangeKind.MY_NUMBER_CHANGE_REQUEST,  # 本人の請求: its 請求日 is the 届出日
        ChangeKind.JUMINHYO_CODE_CHANGE,
    }
)
"""Kinds that come from a 届出 (or a 請求) and therefore need a 届出日."""

EX_OFFICIO_KINDS = frozenset(
    {
        ChangeKind.EX_OFFICIO_ENTRY,
        ChangeKind.EX_OFFICIO_REMOVAL,
        ChangeKind.EX_OFFICIO_AMENDMENT,
        ChangeKind.CLERICAL_CORRECTION,
        ChangeKind.MINOR_CORRECTION,
        ChangeKind.NATURALIZATION,
        ChangeKind.LOSS_OF_NATIONALITY,
        ChangeKind.MY_NUMBER_ENTRY,
        ChangeKind.MOVE_IN_NOTICE,
        ChangeKind.MY_NUMBER_EX_OFFICIO_CHANGE,
        ChangeKind.CANCELLATION,
    }
)
"""Kinds the ward records on its own authority (職権): no 届出日."""


def check_dates(
    *, kind: ChangeKind, occurred_on: PartialDate, notified_on: date | None, today: date
) -> None:
    """Refuse future 異動日 (but for 転出予定日) and 届出日, and a 届出日 where none belongs."""
    if kind not in MOVE_OUT_KINDS and occurred_on.sort_key() > today:
        raise RuleViolation("異動日が未来の日付です / the change date is in the future")
    if notified_on is not None and notified_on > today:
        raise RuleViolation("届出日が未来の日付です / the filing date is in the future")
    if kind in FILED_KINDS and notified_on is None:
        raise RuleViolation(
            f"{kind.japanese}には届出日が必要です / a filing date is required for this change"
        )
    if kind in EX_OFFICIO_KINDS and notified_on is not None:
        raise RuleViolation(
            f"{kind.japanese}は職権処理のため届出日は入力できません / "
            "an ex-officio change has no filing date"
        )
    if _filed_before_event(kind, occurred_on, notified_on):
        raise RuleViolation("届出日が異動日より前です / the filing date precedes the change date")
    check_printable(occurred_on, "異動日", "the change date")


def check_printable(value: PartialDate, name: str, english: str) -> None:
    """Refuse a date the record cannot print in 和暦 (明治より前, spec 1.1.9)."""
    try:
        value.format_wareki()
    except ValueError:
        raise RuleViolation(f"{name}が明治より前です / {english} is before the Meiji era") from None


def _filed_before_event(kind: ChangeKind, occurred_on: PartialDate, notified: date | None) -> bool:
    advance_filing_allowed = kind in MOVE_OUT_KINDS
    if notified is None or advance_filing_allowed or not occurred_on.is_exact:
        return False
    return notified < occurred_on.sort_key()


def is_late_filing(occurred_on: PartialDate, notified_on: date | None) -> bool:
    """Say whether a filing came more than 14 days after the event (届出期間経過)."""
    if notified_on is None:
        return False
    return notified_on - occurred_on.sort_key() > timedelta(days=LATE_FILING_DAYS)


def check_kana(*values: str | None) -> None:
    """Refuse フリガナ that is not kana (spec 1.1.18)."""
    for value in values:
        if value is not None and not is_kana(value):
            raise RuleViolation("フリガナはカナで入力してください / furigana must be kana")


def check_birth_date(birth_date: PartialDate, today: date) -> None:
    """Refuse a 生年月日 in the future or before 明治 (not printable in 和暦)."""
    if birth_date.sort_key() > today:
        raise RuleViolation("生年月日が未来の日付です / the date of birth is in the future")
    check_printable(birth_date, "生年月日", "the date of birth")


def check_numbers(*, my_number: str | None, juminhyo_code: str | None) -> None:
    """Refuse a 個人番号 or 住民票コード whose check digit is wrong."""
    if my_number is not None and not is_valid_my_number(my_number):
        raise RuleViolation("個人番号の検査用数字が誤っています / invalid My Number check digit")
    if juminhyo_code is not None and not is_valid_juminhyo_code(juminhyo_code):
        raise RuleViolation(
            "住民票コードの検査用数字が誤っています / invalid resident code check digit"
        )


def check_foreign_details(details: ForeignDetails, today: date) -> None:
    """Check the items a foreign resident's 区分 requires (法第30条の45の表)."""
    category = details.foreign_category
    if category is ForeignResidentCategory.MID_LONG_TERM:
        _require_mid_long_term(details, today)
    elif category is ForeignResidentCategory.SPECIAL_PERMANENT:
        number = details.special_permanent_cert_no
        if number is None or not SPECIAL_PERMANENT_CERT_NO.fullmatch(number):
            raise RuleViolation(
                "特別永住者証明書番号が必要です (英字2桁・数字8桁・英字2桁) / "
                "a valid special permanent resident certificate number is required"
            )
    elif details.residence_card_no is not None:
        raise RuleViolation(
            "この区分には在留カード番号は記載しません / this category has no residence card"
        )
    check_kana(details.alias_kana)


def _require_mid_long_term(details: ForeignDetails, today: date) -> None:
    card = details.residence_card_no
    if card is None or not RESIDENCE_CARD_NO.fullmatch(card):
        raise RuleViolation(
            "在留カード番号は英字2桁・数字8桁・英字2桁です / "
            "a residence card number is two letters, eight digits, two letters"
        )
    if not (details.status_of_residence and details.period_of_stay and details.stay_expires_on):
        raise RuleViolation(
            "中長期在留者には在留資格・在留期間・満了日が必要です / "
            "status, period and expiry of stay are required"
        )
    if details.stay_expires_on < today:
        raise RuleViolation("在留期間の満了日を過ぎています / the period of stay has expired")


def check_resident_type_items(
    *, resident_type: ResidentType, honseki: str | None, foreign: ForeignDetails | None
) -> None:
    """Refuse 本籍 on a foreign resident and foreign items on a Japanese resident."""
    if resident_type is ResidentType.JAPANESE and foreign is not None:
        raise RuleViolation(
            "日本人住民に外国人住民の記載事項は入力できません / "
            "foreign-resident items given for a Japanese resident"
        )
    if resident_type is ResidentType.FOREIGN and foreign is None:
        raise RuleViolation(
            "外国人住民には国籍・区分等が必要です / nationality and category are required"
        )
    if resident_type is ResidentType.FOREIGN and honseki is not None:
        raise RuleViolation("外国人住民に本籍は記載しません / a foreign resident has no honseki")


def check_relationship(value: str, *, head: bool) -> None:
    """Check a 続柄: 世帯主 for the head only, a known term for everyone else (spec 1.1.11)."""
    if head != (value == HEAD):
        raise RuleViolation(
            "世帯主の続柄は「世帯主」、それ以外の世帯員は世帯主との続柄です / "
            "only the head has the relationship 世帯主"
        )
    if not is_valid_relationship(value):
        raise RuleViolation(f"続柄「{value}」は使えません / unknown relationship")


def check_relationships_cover(given: Mapping[str, str], expected: Iterable[str]) -> None:
    """Refuse a 続柄 list that misses someone or names someone who is not moving."""
    expected_set = set(expected)
    if set(given) != expected_set:
        raise RuleViolation(
            "続柄は異動する世帯員全員について入力してください / "
            "give a relationship for exactly the members concerned"
        )
    for value in given.values():
        check_relationship(value, head=False)


@dataclass(frozen=True)
class PlannedRow:
    """Hold one history row a change will append when approved."""

    atena_no: str
    person: Person
    ex_officio: bool
    occurred_on: PartialDate | None = None  # 異動日 if not the change's own (取消: the original's)


def household_after(
    household_no: str, *, members: Mapping[str, HistoryRow], planned: Iterable[PlannedRow]
) -> list[tuple[str, Person]]:
    """Return the resident members of a household once the planned rows are applied."""
    final: dict[str, Person] = {
        atena_no: row.person
        for atena_no, row in members.items()
        if row.person.household_no == household_no and row.person.is_resident
    }
    for row in planned:
        final.pop(row.atena_no, None)
        if row.person.household_no == household_no and row.person.is_resident:
            final[row.atena_no] = row.person
    return sorted(final.items())


def check_one_head(household_no: str, members: list[tuple[str, Person]]) -> None:
    """Refuse a household without exactly one head (世帯主は一人)."""
    heads = [atena_no for atena_no, person in members if person.is_head]
    if members and len(heads) != 1:
        raise StateConflict(
            f"世帯 {household_no} の世帯主が{len(heads)}人になります。"
            "先に世帯主変更を行ってください (spec 4.0.4) / "
            "the household would not have exactly one head; change the head first"
        )
