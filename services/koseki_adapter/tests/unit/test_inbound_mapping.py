"""The 戸籍 side's notices become registry commands; a republished notice is the same command."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
from jumin_contracts.check_digits import juminhyo_code_check_digit
from jumin_contracts.codes import Sex
from jumin_contracts.commands import (
    CollationItem,
    HonsekiTransferNotice,
    KosekiCollationNotice,
    KosekiEvent,
    KosekiRecordNotice,
)
from jumin_platform.inbound.notifications import Notification, Skipped
from koseki_adapter.domain.notifications import command_id, to_command

NOW = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)


def code(n: int) -> str:
    body = f"{n:010d}"
    return body + juminhyo_code_check_digit(body)


def marriage(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event": "marriage",
        "event_date": "20261201",
        "juminhyo_code": code(2),
        "family_name": "山田",
        "given_name": "花子",
        "birth_date": "19820202",
        "sex": "2",
        "honseki": "東京都新宿区新宿一丁目1番",
        "hittosha": "山田 一郎",
        "honseki_municipality_code": "131041",
        "previous_honseki": "東京都新宿区歌舞伎町一丁目1番",
        "previous_hittosha": "新宿 太郎",
        "previous_family_name": "新宿",
        "previous_given_name": "花子",
        "parent_juminhyo_codes": [],
    }
    return body | changes


def notification(type_: str, body: dict[str, Any]) -> Notification:
    return Notification(3, uuid4(), type_, None, None, body)


def test_a_marriage_becomes_a_record_notice_in_the_commands_forms() -> None:
    n = notification("residence_record_notice", marriage())

    command = to_command(n, now=NOW)

    assert isinstance(command, KosekiRecordNotice)
    assert command.command_id == command_id(n.notification_id)
    assert command.notification_id == n.notification_id
    assert command.event is KosekiEvent.MARRIAGE
    assert command.event_date == date(2026, 12, 1)
    assert (command.birth_date, command.sex) == ("1982-02-02", Sex.FEMALE)
    assert (command.family_name, command.honseki, command.hittosha) == (
        "山田",
        "東京都新宿区新宿一丁目1番",
        "山田 一郎",
    )
    assert command.previous_family_name == "新宿"


def test_the_same_notification_is_the_same_command_and_another_is_not() -> None:
    n = notification("residence_record_notice", marriage())
    again = to_command(n, now=datetime(2026, 12, 9, tzinfo=UTC))
    other = to_command(notification("residence_record_notice", marriage()), now=NOW)

    first = to_command(n, now=NOW)

    assert isinstance(first, KosekiRecordNotice)
    assert isinstance(again, KosekiRecordNotice)
    assert isinstance(other, KosekiRecordNotice)
    assert first.command_id == again.command_id != other.command_id
    assert first.command_id != n.notification_id  # derived (uuid5), not reused


def test_a_birth_without_a_code_keeps_unknown_birth_date_parts_and_the_parents() -> None:
    body = marriage(
        event="birth",
        juminhyo_code=None,
        birth_date="20261100",
        sex="1",
        previous_honseki=None,
        previous_hittosha=None,
        previous_family_name=None,
        previous_given_name=None,
        parent_juminhyo_codes=[code(1), code(2)],
    )

    command = to_command(notification("residence_record_notice", body), now=NOW)

    assert isinstance(command, KosekiRecordNotice)
    assert (command.juminhyo_code, command.birth_date, command.sex) == (
        None,
        "2026-11-00",
        Sex.MALE,
    )
    assert command.parent_juminhyo_codes == [code(1), code(2)]


def test_a_collation_notice_quotes_the_koseki_in_the_commands_forms() -> None:
    body = {
        "honseki": "東京都新宿区歌舞伎町一丁目1番",
        "hittosha": "新宿 太郎",
        "juminhyo_code": code(2),
        "differing_items": ["name", "birth_date"],
        "koseki_items": {
            "family_name": "新宿",
            "given_name": "華子",
            "birth_date": "19820203",
            "sex": "2",
        },
        "receipt_no": "FH-000007",
    }

    command = to_command(notification("collation_notice", body), now=NOW)

    assert isinstance(command, KosekiCollationNotice)
    assert command.differing_items == [CollationItem.NAME, CollationItem.BIRTH_DATE]
    assert command.koseki_items is not None
    assert (command.koseki_items.birth_date, command.koseki_items.sex) == ("1982-02-03", Sex.FEMALE)
    assert command.receipt_no == "FH-000007"


def test_a_collation_notice_for_a_person_not_found_has_no_koseki_items() -> None:
    body = {
        "honseki": "東京都新宿区歌舞伎町一丁目1番",
        "hittosha": None,
        "juminhyo_code": None,
        "differing_items": ["person"],
        "koseki_items": None,
        "receipt_no": None,
    }

    command = to_command(notification("collation_notice", body), now=NOW)

    assert isinstance(command, KosekiCollationNotice)
    assert command.koseki_items is None


def test_a_honseki_transfer_notice_becomes_the_command() -> None:
    body = {
        "juminhyo_code": code(1),
        "previous_honseki": "東京都新宿区歌舞伎町一丁目1番",
        "previous_hittosha": "新宿 太郎",
        "honseki": "北海道札幌市中央区北一条西二丁目1番",
        "hittosha": "新宿 太郎",
        "honseki_municipality_code": "011002",
        "event_date": "20261202",
    }

    command = to_command(notification("honseki_transfer_notice", body), now=NOW)

    assert isinstance(command, HonsekiTransferNotice)
    assert (command.honseki_municipality_code, command.event_date) == ("011002", date(2026, 12, 2))


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"sex": "9"}, "sex"),
        ({"birth_date": "1982022x"}, "birth_date"),
        ({"event_date": "20261200"}, "event_date"),
        ({"family_name": None}, "family_name"),
        ({"event": "adoption"}, "event"),
        ({"juminhyo_code": "12345678901"}, "juminhyo_code"),
        ({"juminhyo_code": None}, "(root): value_error"),  # the model: a code but for a birth
    ],
)
def test_a_bad_body_is_invalid_naming_the_item_never_its_value(
    changes: dict[str, Any], named: str
) -> None:
    body = marriage(**changes)
    if body["family_name"] is None:
        del body["family_name"]

    skipped = to_command(notification("residence_record_notice", body), now=NOW)

    assert isinstance(skipped, Skipped)
    assert skipped.outcome == "invalid"
    assert skipped.detail.startswith("residence_record_notice: ")
    assert named in skipped.detail
    for value in (str(v) for v in changes.values() if v):
        assert value not in skipped.detail


def test_an_unknown_type_is_ignored() -> None:
    skipped = to_command(notification("weather_report", {}), now=NOW)
    assert skipped == Skipped("ignored", "notification type 'weather_report' is not taken in")
