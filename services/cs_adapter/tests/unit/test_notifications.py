"""CS answers become registry commands whose id is the notification id."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from cs_adapter.domain.notifications import to_command
from jumin_contracts.commands import MoveInNoticeReceived, MyNumberAssigned
from jumin_platform.inbound.notifications import Notification, Skipped

from ..fake_cs import juminhyo_code, my_number

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def notification(type_: str, **body: object) -> Notification:
    return Notification(7, uuid4(), type_, None, None, body)


def test_a_generated_number_becomes_my_number_assigned() -> None:
    n = notification(
        "my_number_generated",
        juminhyo_code=juminhyo_code(1),
        my_number=my_number(2),
        request_receipt_no="CS-000001",
    )
    command = to_command(n, now=NOW)
    assert isinstance(command, MyNumberAssigned)
    assert command.command_id == n.notification_id
    assert (command.juminhyo_code, command.my_number) == (juminhyo_code(1), my_number(2))


def test_a_move_in_notice_becomes_move_in_notice_received() -> None:
    n = notification(
        "move_in_notice",
        juminhyo_code=juminhyo_code(1),
        moved_in_on="20261101",
        new_address="北海道札幌市中央区北一条西二丁目1番地",
        new_municipality_code="011002",
    )
    command = to_command(n, now=NOW)
    assert isinstance(command, MoveInNoticeReceived)
    assert command.confirmed_on == date(2026, 11, 1)
    assert command.confirmed_address.startswith("北海道")


def test_bad_and_unknown_notifications_are_skipped_with_field_names_only() -> None:
    bad = to_command(
        notification("my_number_generated", juminhyo_code="12345678901", my_number="1"),
        now=NOW,
    )
    unknown = to_command(notification("certificate_serial"), now=NOW)
    partial = to_command(
        notification(
            "move_in_notice",
            juminhyo_code=juminhyo_code(1),
            moved_in_on="20261100",
            new_address="x",
            new_municipality_code="011002",
        ),
        now=NOW,
    )

    assert isinstance(bad, Skipped)
    assert bad.outcome == "invalid"
    assert "juminhyo_code" in bad.detail
    assert "12345678901" not in bad.detail
    assert isinstance(unknown, Skipped)
    assert unknown.outcome == "ignored"
    assert isinstance(partial, Skipped)
    assert partial.outcome == "invalid"
