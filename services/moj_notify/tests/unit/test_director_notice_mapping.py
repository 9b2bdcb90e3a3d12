"""長官通知 → `registry.moj_notice`: every kind, the forms, 特別永住者 kept for staff, bad bodies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
from jumin_contracts.codes import ForeignResidentCategory, Sex
from jumin_contracts.commands import MojDirectorNotice, MojNoticeKind
from jumin_platform.inbound.notifications import Kept, Notification, Skipped
from moj_notify.domain.director_notices import HandImport, command_id, plan_director_notice
from moj_notify.domain.ministry_feed import feed_plan
from moj_notify.domain.results import ProcessingResult

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
NAMES = {"VNM": "ベトナム", "KOR": "韓国", "XXA": "無国籍"}


def name_of(code: str) -> str | None:
    return NAMES.get(code)


def body(**changes: Any) -> dict[str, Any]:
    return {
        "notice_no": "DN-000001",
        "kind": "period_extension",
        "notice_date": "20261207",
        "effective_date": "20261201",
        "residence_card_no": "AB12345678CD",
        "special_permanent_cert_no": None,
        "juminhyo_code": None,
        "special_permanent": False,
        "corrections": {"period_of_stay": "3年", "stay_expires_on": "20291201"},
        "notice_text": "在留期間更新許可",
    } | changes


def item(feed_type: str = "director_notice", **changes: Any) -> Notification:
    return Notification(1, uuid4(), feed_type, None, None, body(**changes))


def plan(notification: Notification) -> object:
    return plan_director_notice(notification, now=NOW, nationality_name=name_of)


def test_a_period_extension_becomes_the_command_with_iso_dates() -> None:
    notification = item()

    command = plan(notification)

    assert isinstance(command, MojDirectorNotice)
    assert command.command_id == command_id(notification.notification_id)
    assert command.notice_kind is MojNoticeKind.PERIOD_EXTENSION
    assert command.effective_on == date(2026, 12, 1)
    assert command.residence_card_no == "AB12345678CD"
    assert command.corrections.model_dump(exclude_unset=True) == {
        "period_of_stay": "3年",
        "stay_expires_on": date(2029, 12, 1),
    }
    assert command.notice_text == "在留期間更新許可"


@pytest.mark.parametrize(
    ("kind", "corrections"),
    [
        ("period_extension", {"stay_expires_on": "20291201"}),
        ("status_change", {"status_of_residence": "永住者", "period_of_stay": None}),
        ("card_issued", {"residence_card_no": "EF87654321GH"}),
        ("item_correction", {"name_alphabet": "NGUYEN VAN B", "sex": "2"}),
    ],
)
def test_every_correcting_kind_maps_to_its_notice_kind(
    kind: str, corrections: dict[str, Any]
) -> None:
    command = plan(item(kind=kind, corrections=corrections))

    assert isinstance(command, MojDirectorNotice)
    assert command.notice_kind is MojNoticeKind(kind)
    assert set(command.corrections.model_dump(exclude_unset=True)) == set(corrections)


def test_stay_ended_asks_for_the_removal_without_corrections() -> None:
    command = plan(item(kind="stay_ended", corrections={}, notice_text="出国により在留期間満了"))

    assert isinstance(command, MojDirectorNotice)
    assert command.notice_kind is MojNoticeKind.STAY_ENDED
    assert command.corrections.model_dump(exclude_unset=True) == {}


def test_sex_nationality_and_birth_date_take_the_registry_forms() -> None:
    corrections = {"sex": "1", "nationality": "KOR", "birth_date": "19900215"}

    command = plan(item(kind="item_correction", corrections=corrections))

    assert isinstance(command, MojDirectorNotice)
    assert command.corrections.sex is Sex.MALE
    assert command.corrections.nationality == "韓国"
    assert command.corrections.birth_date == date(1990, 2, 15)


def test_a_cleared_item_stays_cleared() -> None:
    command = plan(item(kind="status_change", corrections={"residence_card_no": None}))

    assert isinstance(command, MojDirectorNotice)
    assert command.corrections.model_dump(exclude_unset=True) == {"residence_card_no": None}


def test_the_number_on_record_may_be_a_special_permanent_certificate() -> None:
    notice = item(residence_card_no=None, special_permanent_cert_no="SP12345678AB")

    command = plan(notice)

    assert isinstance(command, MojDirectorNotice)
    assert command.residence_card_no == "SP12345678AB"


def test_a_special_permanent_residents_notice_is_kept_for_staff_not_sent() -> None:
    notice = item(special_permanent=True, corrections={"foreign_category": "special_permanent"})

    kept = plan(notice)

    assert isinstance(kept, Kept)
    assert isinstance(kept.item, HandImport)
    assert kept.item.header.notice_no == "DN-000001"
    assert kept.item.header.effective_date == date(2026, 12, 1)
    assert "AB12345678CD" not in kept.detail
    assert ForeignResidentCategory.SPECIAL_PERMANENT.value not in kept.detail


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"kind": "asylum"}, "kind"),
        ({"effective_date": "20261332"}, "effective_date"),
        ({"corrections": {"sex": "9"}}, "corrections.sex"),
        ({"corrections": {"stay_expires_on": "2029-12-01"}}, "corrections.stay_expires_on"),
        ({"corrections": {"nationality": "ATL"}}, "corrections.nationality"),
        ({"corrections": "3年"}, "corrections"),
        ({"special_permanent": "no"}, "special_permanent"),
        ({"residence_card_no": None}, "residence_card_no"),
        ({"corrections": {"shoe_size": "27"}}, "shoe_size"),
    ],
)
def test_a_body_that_does_not_fit_is_invalid_naming_the_item_not_the_value(
    changes: dict[str, Any], named: str
) -> None:
    skipped = plan(item(**changes))

    assert isinstance(skipped, Skipped)
    assert skipped.outcome == "invalid"
    assert named in skipped.detail
    for value in ("AB12345678CD", "20261332", "ATL", "27", "3年"):
        assert value not in skipped.detail


def test_the_feed_keeps_results_maps_notices_and_ignores_other_types() -> None:
    to_plan = feed_plan(name_of)
    result = Notification(
        2,
        uuid4(),
        "processing_result",
        None,
        None,
        {
            "receipt_no": "MJ-000001",
            "event_id": str(uuid4()),
            "notice_type": "municipal_notice",
            "result": "ok",
            "error_code": None,
            "error_items": [],
            "message": None,
            "processed_at": "2026-12-08T10:00:00+09:00",
        },
    )

    kept = to_plan(result, now=NOW)
    command = to_plan(item(), now=NOW)
    other = to_plan(item("weather"), now=NOW)

    assert isinstance(kept, Kept)
    assert isinstance(kept.item, ProcessingResult)
    assert kept.detail == "processing_result MJ-000001 ok"
    assert isinstance(command, MojDirectorNotice)
    assert other == Skipped("ignored", "notification type 'weather' is not taken in")
