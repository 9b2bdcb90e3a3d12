"""Which notices an event becomes, with which items, in the ministry's formats."""

from __future__ import annotations

from datetime import date

import pytest
from jumin_contracts.codes import ChangeKind, ForeignResidentCategory, Sex
from jumin_contracts.envelope import Envelope
from jumin_contracts.messages import MojMunicipalNotice, NoticeClass
from moj_notify.domain.nationalities import UnknownNationality
from moj_notify.domain.notices import (
    MUNICIPAL_NOTICE,
    MUNICIPAL_TRANSMISSION,
    held_until,
    plan_notices,
)

from ..builders import CARD_NO, event, municipal_notice, special_permanent


def test_a_30_46_move_in_is_a_notice_and_a_transmission_under_19_7() -> None:
    notice, transmission = plan_notices(*_of(municipal_notice()))
    assert notice.message.type == MUNICIPAL_NOTICE
    assert transmission.message.type == MUNICIPAL_TRANSMISSION
    assert transmission.message.body == {
        "filing_article": "19-7",
        "notification_date": "20261120",
        "name_alphabet": "NGUYEN VAN AN",
        "family_name": "グエン",
        "given_name": "ヴァン アン",
        "birth_date": "19950304",
        "sex": "1",
        "nationality": "VNM",
        "address": "東京都新宿区百人町一丁目2番3号",
        "residence_card_no": CARD_NO,
    }


def test_the_notice_carries_class_reason_dates_and_the_30_45_items() -> None:
    (notice, _) = plan_notices(*_of(municipal_notice()))
    assert notice.message.body == {
        "notice_class": "juki_and_immigration",
        "change_reason": "foreign_move_in_30_46",
        "change_date": "20261118",
        "notification_date": "20261120",
        "name_alphabet": "NGUYEN VAN AN",
        "family_name": "グエン",
        "given_name": "ヴァン アン",
        "birth_date": "19950304",
        "sex": "1",
        "nationality": "VNM",
        "address": "東京都新宿区百人町一丁目2番3号",
        "previous_address": None,
        "foreign_category": "mid_long_term",
        "status_of_residence": "技術・人文知識・国際業務",
        "period_of_stay": "3年",
        "stay_expires_on": "20290401",
        "residence_card_no": CARD_NO,
        "special_permanent_cert_no": None,
    }


@pytest.mark.parametrize(
    ("kind", "article"),
    [
        (ChangeKind.FOREIGN_MOVE_IN_30_46, "19-7"),
        (ChangeKind.RESIDENCE_STATUS_30_47, "19-8"),
        (ChangeKind.DOMESTIC_MOVE_IN, "19-9"),
        (ChangeKind.MOVE_WITHIN_WARD, "19-9"),
    ],
)
def test_each_residence_filing_names_its_article(kind: ChangeKind, article: str) -> None:
    planned = plan_notices(*_of(municipal_notice(change_kind=kind)))
    assert [p.message.body.get("filing_article") for p in planned] == [None, article]


def test_a_special_permanent_residents_move_is_a_notice_only() -> None:
    (notice,) = plan_notices(*_of(special_permanent()))
    assert notice.message.body["special_permanent_cert_no"] == "SP12345678AB"
    assert notice.message.body["residence_card_no"] is None
    assert notice.message.body["nationality"] == "KOR"
    assert notice.message.body["sex"] == "2"


@pytest.mark.parametrize(
    "category", [ForeignResidentCategory.TEMPORARY_REFUGE, ForeignResidentCategory.TRANSITIONAL]
)
def test_no_transmission_without_a_residence_card(category: ForeignResidentCategory) -> None:
    payload = municipal_notice(
        foreign_category=category,
        residence_card_no=None,
        status_of_residence=None,
        period_of_stay=None,
        stay_expires_on=None,
    )
    assert [p.message.type for p in plan_notices(*_of(payload))] == [MUNICIPAL_NOTICE]


def test_an_ex_officio_change_has_no_filing_date_and_no_transmission() -> None:
    payload = municipal_notice(change_kind=ChangeKind.EX_OFFICIO_AMENDMENT)
    payload = payload.model_copy(update={"notice_class": NoticeClass.JUKI})
    (notice,) = plan_notices(event(payload, notified_on=None), payload)
    assert notice.message.body["notification_date"] is None
    assert notice.message.body["notice_class"] == "juki"


def test_a_move_out_abroad_is_a_juki_notice_due_on_its_planned_day() -> None:
    payload = municipal_notice(
        change_kind=ChangeKind.MOVE_OUT_ABROAD,
        occurred_on="2026-12-24",
        notice_class=NoticeClass.JUKI,
        sex=Sex.FEMALE,
    )
    (notice,) = plan_notices(*_of(payload))
    assert notice.not_before == date(2026, 12, 24)
    assert notice.message.body["change_date"] == "20261224"
    assert notice.message.body["sex"] == "2"


def test_keys_are_per_event_and_type_and_stable() -> None:
    payload = municipal_notice()
    envelope = event(payload)
    first = plan_notices(envelope, payload)
    again = plan_notices(envelope, payload)
    assert [p.key for p in first] == [p.key for p in again]
    assert first[0].key != first[1].key
    other = plan_notices(event(payload), payload)
    assert {p.key for p in other}.isdisjoint({p.key for p in first})


def test_an_unknown_nationality_is_refused_not_sent() -> None:
    with pytest.raises(UnknownNationality) as refused:
        plan_notices(*_of(municipal_notice(nationality="ワカンダ")))
    assert "ワカンダ" not in str(refused.value)


@pytest.mark.parametrize(
    ("stored", "day"),
    [
        ("2026-12-24", date(2026, 12, 24)),
        ("2026-12-xx", None),
        ("xxxx-xx-xx", None),
    ],
)
def test_only_a_complete_change_date_is_waited_for(stored: str, day: date | None) -> None:
    assert held_until(stored) == day


def _of(payload: MojMunicipalNotice) -> tuple[Envelope, MojMunicipalNotice]:
    return event(payload), payload
