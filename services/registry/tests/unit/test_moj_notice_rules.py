"""Which 異動 send a 市町村通知 to 出入国在留管理庁, with which items, and never back to its source.

Sources: DOMAIN.md (recipients), DOMAIN-SERVICES.md §2 ([U6]: 世帯変更, 続柄 among foreigners,
職権 世帯事項修正 and insurance/手当 items are not notified; the 政令's list is not public, so the
rest of the table is the list §2 expects), spec 4.5.7 (notice classes) and [S:j960] (a change made
from a 長官通知 must not loop back).  One table row per 異動事由 for a foreign resident, then
properties over every change kind: a 長官通知's change reaches every recipient but the ministry,
and a notice carries exactly the contract's items, taken from the record, for foreigners only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jumin_contracts.check_digits import juminhyo_code_check_digit
from jumin_contracts.codes import HEAD, ChangeKind, ForeignResidentCategory, ResidentType, Sex
from jumin_contracts.dates import PartialDate
from jumin_contracts.messages import MojMunicipalNotice, NoticeClass
from registry.domain.changes import ChangeOrigin
from registry.domain.model import Person, Qualifications
from registry.domain.recipient_policy import MOJ_ITEMS

from .builders import atena, household_no
from .test_projection import ADDRESSES, Opener, Pair, approved_changes, removed, row, run

MOJ = "moj.municipal_notice"
KIM_ATENA = atena(77)
NAKANO = "東京都中野区中野四丁目8番1号"
SEOUL = "大韓民国 ソウル特別市鍾路区世宗大路209"

KIM = Person(
    resident_type=ResidentType.FOREIGN,
    household_no=household_no(77),
    is_head=True,
    relationship=HEAD,
    family_name="金",
    given_name="民俊",
    family_name_kana="キム",
    given_name_kana="ミンジュン",
    name_alphabet="KIM MINJUN",
    birth_date=PartialDate.from_storage("1990-07-15"),
    sex=Sex.MALE,
    address=ADDRESSES[0],
    address_since=PartialDate.from_storage("2022-04-01"),
    juminhyo_code="1234567890" + juminhyo_code_check_digit("1234567890"),
    nationality="韓国",
    foreign_category=ForeignResidentCategory.MID_LONG_TERM,
    status_of_residence="技術・人文知識・国際業務",
    period_of_stay="5年",
    stay_expires_on=date(2029, 3, 31),
    residence_card_no="AB12345678CD",
    became_foreign_resident_on=PartialDate.from_storage("2022-04-01"),
)
"""A 中長期在留者 on the register, head of a household of one."""

JAPANESE_KIM = KIM.evolve(
    resident_type=ResidentType.JAPANESE,
    **dict.fromkeys(("nationality", "name_alphabet", "foreign_category"), None),
    **dict.fromkeys(("status_of_residence", "period_of_stay", "stay_expires_on"), None),
    residence_card_no=None,
    honseki="東京都新宿区西新宿二丁目8番地",
    hittosha="金田民俊",
)


def entered(kind: ChangeKind, **items: Any) -> list[Pair]:
    return [(None, row(KIM_ATENA, KIM.evolve(**items), kind, 1))]


def changed(kind: ChangeKind, *, ex_officio: bool | None = None, **items: Any) -> list[Pair]:
    before = row(KIM_ATENA, KIM, ChangeKind.DOMESTIC_MOVE_IN, 1)
    after = row(KIM_ATENA, KIM.evolve(**items), kind, 2)
    if ex_officio is not None:
        after = dataclasses.replace(after, ex_officio=ex_officio)
    return [(before, after)]


def left(kind: ChangeKind) -> list[Pair]:
    before = row(KIM_ATENA, KIM, ChangeKind.DOMESTIC_MOVE_IN, 1)
    return [(before, row(KIM_ATENA, removed(KIM, kind), kind, 2))]


def switched(kind: ChangeKind, old: Person, new: Person) -> list[Pair]:
    """帰化・国籍喪失: the old record closed, the new one opened (two rows, one 宛名番号)."""
    before = row(KIM_ATENA, old, ChangeKind.DOMESTIC_MOVE_IN, 1)
    closed = row(KIM_ATENA, removed(old, kind), kind, 2)
    return [(before, closed), (closed, row(KIM_ATENA, new, kind, 3))]


def cancelled_move() -> list[Pair]:
    moved = row(KIM_ATENA, KIM.evolve(address=ADDRESSES[2]), ChangeKind.MOVE_WITHIN_WARD, 2)
    return [(moved, row(KIM_ATENA, KIM, ChangeKind.CANCELLATION, 3))]


def insurance_only(kind: ChangeKind) -> list[Pair]:
    return changed(kind, qualifications=Qualifications(national_health_insurance=True))


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


# --- no loop (住基法30条の50; DOMAIN-SERVICES.md §2, [S:j960]) ----------------------------------


def test_a_name_corrected_by_the_ministry_reaches_cs_but_not_the_ministry() -> None:
    kind = ChangeKind.EX_OFFICIO_AMENDMENT
    pairs = changed(kind, name_alphabet="KIM MIN JUN")

    from_ministry = {m.routing_key for m in run(kind, pairs, Opener(), origin=ChangeOrigin.MOJ)}
    from_staff = {m.routing_key for m in run(kind, pairs, Opener(), origin=ChangeOrigin.STAFF)}

    assert "cs.identity" in from_ministry  # 本人確認情報 still goes to CS
    assert MOJ not in from_ministry
    assert from_staff == from_ministry | {MOJ}  # a clerk's own 修正 notifies


def test_a_removal_on_the_ministrys_notice_is_not_notified_back() -> None:
    kind = ChangeKind.EX_OFFICIO_REMOVAL
    sent = {m.routing_key for m in run(kind, left(kind), Opener(), origin=ChangeOrigin.MOJ)}
    assert MOJ not in sent
    assert {"cs.identity", "certificates.record"} <= sent


NOT_MOJ = [origin for origin in ChangeOrigin if origin is not ChangeOrigin.MOJ]


def without_moj(messages: list[Any]) -> list[tuple[str, str, Any]]:
    return [(m.atena_no, m.routing_key, m.payload) for m in messages if m.recipient != "moj"]


@pytest.mark.parametrize("kind", list(ChangeKind), ids=lambda k: k.value)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_ministrys_change_reaches_every_recipient_but_the_ministry(
    kind: ChangeKind, data: Any
) -> None:
    pairs = data.draw(approved_changes(kind))
    from_ministry = run(kind, pairs, Opener(), origin=ChangeOrigin.MOJ)
    from_staff = run(kind, pairs, Opener(), origin=data.draw(st.sampled_from(NOT_MOJ)))

    assert not [m for m in from_ministry if m.recipient == "moj"]
    assert without_moj(from_ministry) == without_moj(from_staff)


# --- what a notice carries ------------------------------------------------------------------------

CONTRACT = set(MojMunicipalNotice.model_fields)
RECORD_ITEMS = set(MOJ_ITEMS)
CHANGE_ITEMS = {"change_kind", "occurred_on", "notice_class", "previous_address"}


def as_sent(value: object) -> object:
    return value.to_storage() if isinstance(value, PartialDate) else value


@pytest.mark.parametrize("kind", list(ChangeKind), ids=lambda k: k.value)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_notice_carries_exactly_the_contract_from_the_record_of_a_foreigner(
    kind: ChangeKind, data: Any
) -> None:
    origin = data.draw(st.sampled_from(NOT_MOJ))
    for before, after in data.draw(approved_changes(kind)):
        sent = [
            m for m in run(kind, [(before, after)], Opener(), origin=origin) if m.recipient == "moj"
        ]
        if after.person.resident_type is ResidentType.JAPANESE:
            assert not sent, "a Japanese resident's record never reaches the ministry"
            continue
        for message in sent:
            payload = message.payload.model_dump()
            assert set(payload) == CONTRACT == RECORD_ITEMS | CHANGE_ITEMS
            assert {k: payload[k] for k in RECORD_ITEMS} == {
                k: as_sent(getattr(after.person, k)) for k in RECORD_ITEMS
            }
            moved_from = {after.person.previous_address, before and before.person.address}
            assert payload["previous_address"] in moved_from | {None}
