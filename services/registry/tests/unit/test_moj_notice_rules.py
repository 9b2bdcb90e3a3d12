"""Which 異動 of a foreign resident send a 市町村通知 to 出入国在留管理庁, in which class, with which 前住所.

Sources: DOMAIN.md (recipients), DOMAIN-SERVICES.md §2 ([U6]: 世帯変更, 続柄 among foreigners,
職権 世帯事項修正 and insurance/手当 items are not notified; the 政令's list is not public, so the
rest of the table is the list §2 expects) and spec 4.5.7 (notice classes). One row per 異動事由.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from jumin_contracts.check_digits import juminhyo_code_check_digit
from jumin_contracts.codes import ChangeKind, Sex
from jumin_contracts.dates import PartialDate
from jumin_contracts.messages import NoticeClass

from .builders import household_no
from .foreign_rows import (
    JAPANESE_KIM,
    KIM,
    KIM_ATENA,
    MOJ,
    NAKANO,
    SEOUL,
    cancelled_move,
    changed,
    entered,
    insurance_only,
    left,
    switched,
)
from .test_projection import ADDRESSES, Opener, Pair, removed, row, run

JUKI, BOTH = NoticeClass.JUKI, NoticeClass.JUKI_AND_IMMIGRATION

CASES: list[tuple[str, ChangeKind, Callable[[], list[Pair]], NoticeClass | None, str | None]] = [
    # 異動事由, kind, rows, notice class (None: no notice), 前住所 sent
    (
        "国内転入",
        ChangeKind.DOMESTIC_MOVE_IN,
        lambda: entered(ChangeKind.DOMESTIC_MOVE_IN, previous_address=NAKANO),
        BOTH,
        NAKANO,
    ),
    (
        "法第30条の46転入",
        ChangeKind.FOREIGN_MOVE_IN_30_46,
        lambda: entered(ChangeKind.FOREIGN_MOVE_IN_30_46, previous_address=SEOUL),
        BOTH,
        SEOUL,
    ),
    (
        "法第30条の46転入 (従前の住所なし)",
        ChangeKind.FOREIGN_MOVE_IN_30_46,
        lambda: entered(ChangeKind.FOREIGN_MOVE_IN_30_46),
        BOTH,
        None,
    ),
    (
        "法第30条の47届出",
        ChangeKind.RESIDENCE_STATUS_30_47,
        lambda: changed(ChangeKind.RESIDENCE_STATUS_30_47, period_of_stay="3年"),
        BOTH,
        None,
    ),
    (
        "転居",
        ChangeKind.MOVE_WITHIN_WARD,
        lambda: changed(ChangeKind.MOVE_WITHIN_WARD, address=ADDRESSES[2]),
        BOTH,
        ADDRESSES[0],
    ),
    (
        "国内転出",
        ChangeKind.DOMESTIC_MOVE_OUT,
        lambda: left(ChangeKind.DOMESTIC_MOVE_OUT),
        JUKI,
        None,
    ),
    (
        "国外転出 (予定日)",
        ChangeKind.MOVE_OUT_ABROAD,
        lambda: left(ChangeKind.MOVE_OUT_ABROAD),
        JUKI,
        None,
    ),
    ("出生", ChangeKind.BIRTH, lambda: entered(ChangeKind.BIRTH), JUKI, None),
    ("死亡", ChangeKind.DEATH, lambda: left(ChangeKind.DEATH), JUKI, None),
    (
        "職権記載",
        ChangeKind.EX_OFFICIO_ENTRY,
        lambda: entered(ChangeKind.EX_OFFICIO_ENTRY, previous_address=NAKANO),
        JUKI,
        None,
    ),
    (
        "職権消除",
        ChangeKind.EX_OFFICIO_REMOVAL,
        lambda: left(ChangeKind.EX_OFFICIO_REMOVAL),
        JUKI,
        None,
    ),
    (
        "国籍喪失 (外国人住民票の記載)",
        ChangeKind.LOSS_OF_NATIONALITY,
        lambda: switched(ChangeKind.LOSS_OF_NATIONALITY, JAPANESE_KIM, KIM),
        JUKI,
        None,
    ),
    (
        "帰化 (外国人住民票の消除)",
        ChangeKind.NATURALIZATION,
        lambda: switched(ChangeKind.NATURALIZATION, KIM, JAPANESE_KIM),
        JUKI,
        None,
    ),
    (
        "職権修正 (氏名)",
        ChangeKind.EX_OFFICIO_AMENDMENT,
        lambda: changed(ChangeKind.EX_OFFICIO_AMENDMENT, family_name="金田"),
        JUKI,
        None,
    ),
    (
        "職権修正 (英字氏名)",
        ChangeKind.EX_OFFICIO_AMENDMENT,
        lambda: changed(ChangeKind.EX_OFFICIO_AMENDMENT, name_alphabet="KIM MIN JUN"),
        JUKI,
        None,
    ),
    (
        "誤記修正 (生年月日)",
        ChangeKind.CLERICAL_CORRECTION,
        lambda: changed(
            ChangeKind.CLERICAL_CORRECTION, birth_date=PartialDate.from_storage("1990-07-16")
        ),
        JUKI,
        None,
    ),
    (
        "誤記修正 (性別)",
        ChangeKind.CLERICAL_CORRECTION,
        lambda: changed(ChangeKind.CLERICAL_CORRECTION, sex=Sex.FEMALE),
        JUKI,
        None,
    ),
    (
        "職権修正 (国籍・地域)",
        ChangeKind.EX_OFFICIO_AMENDMENT,
        lambda: changed(ChangeKind.EX_OFFICIO_AMENDMENT, nationality="朝鮮"),
        JUKI,
        None,
    ),
    (
        "軽微な修正 (住所の表記)",
        ChangeKind.MINOR_CORRECTION,
        lambda: changed(ChangeKind.MINOR_CORRECTION, address=ADDRESSES[0] + "号室"),
        JUKI,
        None,
    ),
    ("取消 (転居の取消し)", ChangeKind.CANCELLATION, cancelled_move, JUKI, None),
    (
        "世帯変更",
        ChangeKind.HOUSEHOLD_TRANSFER,
        lambda: changed(
            ChangeKind.HOUSEHOLD_TRANSFER,
            household_no=household_no(78),
            is_head=False,
            relationship="同居人",
        ),
        None,
        None,
    ),
    (
        "世帯主変更 (続柄のみ)",
        ChangeKind.HEAD_CHANGE,
        lambda: changed(ChangeKind.HEAD_CHANGE, is_head=False, relationship="夫"),
        None,
        None,
    ),
    (
        "世帯分離",
        ChangeKind.HOUSEHOLD_SEPARATION,
        lambda: changed(ChangeKind.HOUSEHOLD_SEPARATION, household_no=household_no(79)),
        None,
        None,
    ),
    (
        "世帯合併",
        ChangeKind.HOUSEHOLD_MERGER,
        lambda: changed(
            ChangeKind.HOUSEHOLD_MERGER,
            household_no=household_no(80),
            is_head=False,
            relationship="妻",
        ),
        None,
        None,
    ),
    (
        "職権 世帯事項修正",
        ChangeKind.HEAD_CHANGE,
        lambda: changed(ChangeKind.HEAD_CHANGE, ex_officio=True, is_head=False, relationship="子"),
        None,
        None,
    ),
    (
        "国保の資格 (軽微な修正)",
        ChangeKind.MINOR_CORRECTION,
        lambda: insurance_only(ChangeKind.MINOR_CORRECTION),
        None,
        None,
    ),
    (
        "児童手当・国保 (職権修正)",
        ChangeKind.EX_OFFICIO_AMENDMENT,
        lambda: insurance_only(ChangeKind.EX_OFFICIO_AMENDMENT),
        None,
        None,
    ),
    (
        "個人番号の職権記載",
        ChangeKind.MY_NUMBER_ENTRY,
        lambda: changed(ChangeKind.MY_NUMBER_ENTRY, my_number="mn1:sealed:123456789018"),
        None,
        None,
    ),
    (
        "住民票コードの変更",
        ChangeKind.JUMINHYO_CODE_CHANGE,
        lambda: changed(
            ChangeKind.JUMINHYO_CODE_CHANGE,
            juminhyo_code="9876543210" + juminhyo_code_check_digit("9876543210"),
        ),
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("kind", "rows", "notice_class", "previous_address"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_each_change_of_a_foreign_resident_notifies_as_the_sources_say(
    kind: ChangeKind,
    rows: Callable[[], list[Pair]],
    notice_class: NoticeClass | None,
    previous_address: str | None,
) -> None:
    notices = [m.payload.model_dump() for m in run(kind, rows(), Opener()) if m.routing_key == MOJ]

    if notice_class is None:
        assert notices == []
        return
    (notice,) = notices  # one notice, for the foreign record (帰化・国籍喪失: not the Japanese one)
    assert notice["change_kind"] is kind
    assert notice["notice_class"] is notice_class
    assert notice["previous_address"] == previous_address


def test_every_change_kind_is_in_the_table() -> None:
    assert {case[1] for case in CASES} >= set(ChangeKind) - {ChangeKind.MOVE_IN_FROM_ABROAD} - {
        ChangeKind.MOVE_IN_NOTICE,  # on a removed record: below
        ChangeKind.MY_NUMBER_CHANGE_REQUEST,
        ChangeKind.MY_NUMBER_EX_OFFICIO_CHANGE,
    }  # 国外転入 is for Japanese residents (foreigners enter by 法第30条の46転入)


@pytest.mark.parametrize(
    "kind",
    [
        ChangeKind.MOVE_IN_NOTICE,
        ChangeKind.MY_NUMBER_CHANGE_REQUEST,
        ChangeKind.MY_NUMBER_EX_OFFICIO_CHANGE,
    ],
)
def test_changes_touching_no_notified_item_send_nothing(kind: ChangeKind) -> None:
    gone = removed(KIM, ChangeKind.DOMESTIC_MOVE_OUT)
    record = gone if kind is ChangeKind.MOVE_IN_NOTICE else KIM
    before = row(KIM_ATENA, record, ChangeKind.DOMESTIC_MOVE_OUT, 2)
    confirmed = {"confirmed_move_out_on": date(2026, 11, 20), "confirmed_destination": NAKANO}
    after_person = record.evolve(**confirmed) if record is gone else record
    after = row(KIM_ATENA, after_person, kind, 3)
    assert MOJ not in {m.routing_key for m in run(kind, [(before, after)], Opener())}
