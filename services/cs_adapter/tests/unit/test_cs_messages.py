"""Mapping the registry's cs.* payloads to CS 電文 bodies (INTERFACE.md "Formats")."""

from __future__ import annotations

from cs_adapter.domain.cs_messages import MessageType, my_number_request, to_outgoing
from jumin_contracts.codes import ChangeKind, Sex

from ..builders import fuhyo, identity, moveout, my_number_change
from ..fake_cs import juminhyo_code


def test_an_identity_maps_every_item_with_cs_codes() -> None:
    message = to_outgoing(identity(sex=Sex.MALE, birth_date="1990-05-xx"))

    assert message.type is MessageType.IDENTITY
    assert message.body["sex"] == "1"
    assert message.body["birth_date"] == "19900500"
    assert message.body["change_reason"] == "domestic_move_in"
    assert message.body["change_date"] == "20260401"
    assert message.body["record_status"] == "resident"
    assert "former_surname" not in message.fields  # null items are not counted as provided
    assert {"my_number", "juminhyo_code", "family_name", "address"} <= set(message.fields)


def test_the_my_number_is_blanked_in_what_is_kept_but_sent_in_the_body() -> None:
    message = to_outgoing(identity())

    assert message.my_number is not None
    assert message.body["my_number"] == message.my_number
    assert message.without_my_number()["my_number"] is None


def test_a_fuhyo_notice_and_a_moveout_certificate_map_their_dates() -> None:
    notice = to_outgoing(fuhyo())
    certificate = to_outgoing(moveout())

    assert notice.type is MessageType.FUHYO_NOTICE
    assert notice.body["birth_date"] == "19900500"
    assert notice.body["address"] is None
    assert notice.body["moved_abroad"] is True
    assert certificate.type is MessageType.MOVEOUT_CERTIFICATE
    assert certificate.body["planned_on"] == "20260410"
    assert certificate.body["sex"] == "2"
    assert certificate.body["destination"].startswith("北海道")


def test_a_resend_may_change_the_reason_of_a_message_but_a_request_has_none() -> None:
    message = to_outgoing(identity()).with_change_reason(ChangeKind.CLERICAL_CORRECTION.value)
    request = my_number_request(juminhyo_code(5))

    assert message.change_reason == "clerical_correction"
    assert request.change_reason is None
    assert request.body == {"juminhyo_code": juminhyo_code(5), "reason": "new"}


def test_an_approved_number_change_becomes_a_generation_request_with_reason_change() -> None:
    code = juminhyo_code(7)

    message = to_outgoing(my_number_change(juminhyo_code=code))

    assert message.type is MessageType.MY_NUMBER_REQUEST
    assert message.body == {"juminhyo_code": code, "reason": "change"}


def test_an_identity_names_the_code_it_replaces_only_when_the_code_changed() -> None:
    old, new = juminhyo_code(8), juminhyo_code(9)

    changed = to_outgoing(identity(juminhyo_code=new, previous_juminhyo_code=old)).body
    unchanged = to_outgoing(identity(juminhyo_code=new)).body

    assert (changed["juminhyo_code"], changed["previous_juminhyo_code"]) == (new, old)
    assert "previous_juminhyo_code" not in unchanged
