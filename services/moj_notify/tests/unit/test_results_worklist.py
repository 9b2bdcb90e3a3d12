"""処理結果: reading a result, and the worklist's states (open → resent → resolved | handled)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from moj_notify.domain.results import (
    BadResult,
    EntryStatus,
    ProcessingResult,
    WorklistEntry,
    WorklistRefusal,
    corrected_body,
    result_from,
)

pytestmark = pytest.mark.unit

EVENT = UUID("11111111-2222-3333-4444-555555555555")


def result(**changes: Any) -> dict[str, Any]:
    return {
        "receipt_no": "MJ-000007",
        "event_id": str(EVENT),
        "notice_type": "municipal_notice",
        "result": "error",
        "error_code": "R-PERSON-MISMATCH",
        "error_items": ["name_alphabet"],
        "message": "氏名が記録と異なります",
        "processed_at": "2026-12-08T10:00:00+09:00",
    } | changes


def entry(**changes: Any) -> WorklistEntry:
    fields: dict[str, Any] = {
        "id": 1,
        "delivery_id": 10,
        "person_key": "0000000001",
        "event_id": EVENT,
        "notice_type": "municipal_notice",
        "receipt_no": "MJ-000007",
        "error_code": "R-PERSON-MISMATCH",
        "error_items": ("name_alphabet",),
        "message": None,
        "status": EntryStatus.OPEN,
    }
    return WorklistEntry(**(fields | changes))


def answer(**changes: Any) -> ProcessingResult:
    return result_from(uuid4(), result(**changes))


def test_an_error_result_is_read_with_its_codes_and_items() -> None:
    read = result_from(uuid4(), result())

    assert read.receipt_no == "MJ-000007"
    assert read.event_id == EVENT
    assert not read.ok
    assert read.error_code == "R-PERSON-MISMATCH"
    assert read.error_items == ("name_alphabet",)
    assert read.processed_at == datetime(2026, 12, 8, 1, 0, tzinfo=UTC)


def test_a_result_for_a_receipt_the_ministry_does_not_hold_has_no_event() -> None:
    read = result_from(
        uuid4(), result(event_id=None, notice_type=None, result="ok", error_code=None)
    )

    assert read.ok
    assert read.event_id is None


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"result": "maybe"}, "result"),
        ({"error_code": None}, "error_code"),
        ({"result": "ok"}, "error_code"),
        ({"receipt_no": ""}, "receipt_no"),
        ({"event_id": "not-a-uuid"}, "event_id"),
        ({"error_items": "name_alphabet"}, "error_items"),
        ({"processed_at": "2026-12-08T10:00:00"}, "processed_at"),
    ],
)
def test_a_result_that_does_not_fit_names_the_item(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(BadResult, match=named):
        result_from(uuid4(), result(**changes))


def test_an_open_entry_blocks_and_a_resend_keeps_blocking_until_its_ok_result() -> None:
    opened = entry()
    assert opened.status.blocking

    resent = opened.resend(11, "MJ-000008")
    assert resent.status is EntryStatus.RESENT
    assert resent.status.blocking
    assert (resent.resend_delivery_id, resent.resend_receipt_no) == (11, "MJ-000008")

    resolved = resent.resend_answered(answer(result="ok", error_code=None, error_items=[]))
    assert resolved.status is EntryStatus.RESOLVED
    assert not resolved.status.blocking


def test_an_error_result_of_the_resend_opens_the_entry_again_with_the_new_code() -> None:
    resent = entry().resend(11, "MJ-000008")

    reopened = resent.resend_answered(
        answer(receipt_no="MJ-000008", error_code="R-CARD-REPLACED", error_items=[])
    )

    assert reopened.status is EntryStatus.OPEN
    assert (reopened.delivery_id, reopened.receipt_no) == (11, "MJ-000008")
    assert reopened.error_code == "R-CARD-REPLACED"
    assert reopened.resend_delivery_id is None


def test_a_second_resend_waits_for_the_first_ones_result() -> None:
    with pytest.raises(WorklistRefusal):
        entry().resend(11, "MJ-000008").resend(12, "MJ-000009")


@pytest.mark.parametrize("status", [EntryStatus.OPEN, EntryStatus.RESENT])
def test_the_operator_may_close_an_entry_open_or_awaiting_a_resend(status: EntryStatus) -> None:
    assert entry(status=status).handle().status is EntryStatus.HANDLED


@pytest.mark.parametrize("status", [EntryStatus.RESOLVED, EntryStatus.HANDLED])
def test_a_closed_entry_is_neither_handled_again_nor_resent(status: EntryStatus) -> None:
    closed = entry(status=status)
    with pytest.raises(WorklistRefusal):
        closed.handle()
    with pytest.raises(WorklistRefusal):
        closed.resend(11, None)


def test_corrections_replace_items_of_the_notice_and_tell_which_flagged_ones_they_leave() -> None:
    sent = {"name_alphabet": "NGUYEN VAN A", "sex": "1", "nationality": "VNM"}

    body, untouched = corrected_body(sent, {"sex": "2"}, error_items=["name_alphabet", "sex"])

    assert body == {"name_alphabet": "NGUYEN VAN A", "sex": "2", "nationality": "VNM"}
    assert untouched == ["name_alphabet"]


def test_an_item_the_notice_does_not_have_cannot_be_corrected() -> None:
    with pytest.raises(KeyError, match="shoe_size"):
        corrected_body({"sex": "1"}, {"shoe_size": "27"}, error_items=[])
