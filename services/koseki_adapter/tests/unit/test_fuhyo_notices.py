"""Mapping a `koseki.fuhyo_notice` to the 附票記載事項通知 (INTERFACE.md "Sending", "Formats")."""

from __future__ import annotations

from jumin_contracts.codes import ChangeKind, Sex
from jumin_contracts.envelope import new_event_id
from koseki_adapter.domain.fuhyo_notices import FUHYO_NOTICE, FuhyoReply, notice_key, to_outgoing

from ..builders import HONSEKI, fuhyo_notice, juminhyo_code


def test_a_move_maps_every_fuhyo_item_in_wire_formats() -> None:
    message = to_outgoing(fuhyo_notice(birth_date="1982-02-xx", sex=Sex.FEMALE))

    assert message.type == FUHYO_NOTICE
    assert message.body == {
        "honseki": HONSEKI,
        "hittosha": "新宿 太郎",
        "family_name": "新宿",
        "given_name": "花子",
        "address": "東京都新宿区新宿三丁目1番1号",
        "moved_abroad": False,
        "abroad_country": None,
        "address_since": "20261120",
        "birth_date": "19820200",
        "sex": "2",
        "juminhyo_code": juminhyo_code(2),
        "change_reason": "move_within_ward",
        "change_date": "20261120",
    }
    assert "abroad_country" not in message.fields  # null items are not counted as provided


def test_a_move_abroad_carries_the_country_and_no_address() -> None:
    message = to_outgoing(
        fuhyo_notice(
            change_kind=ChangeKind.MOVE_OUT_ABROAD,
            address=None,
            moved_abroad=True,
            abroad_country="フランス",
            sex=Sex.MALE,
        )
    )

    assert (message.body["moved_abroad"], message.body["abroad_country"]) == (True, "フランス")
    assert message.body["address"] is None
    assert message.body["sex"] == "1"
    assert message.change_reason == "move_out_abroad"


def test_the_key_is_the_same_on_every_retry_of_an_event_and_differs_between_events() -> None:
    event = new_event_id()
    assert notice_key(event) == notice_key(event)
    assert notice_key(event) != notice_key(new_event_id())
    assert notice_key(event) != event  # never mistaken for the event id itself


def test_a_mismatch_reply_names_the_codes_only() -> None:
    reply = FuhyoReply(422, code="E-NAME-MISMATCH", errors=("E-NAME-MISMATCH", "E-SEX-MISMATCH"))
    assert reply.describe() == "koseki 422 E-NAME-MISMATCH: E-NAME-MISMATCH, E-SEX-MISMATCH"
    assert FuhyoReply(None, code="ReadTimeout").describe() == "koseki unreachable (ReadTimeout)"
