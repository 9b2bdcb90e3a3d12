"""How CS answers read, and when a 個人番号生成要求 follows an identity."""

from __future__ import annotations

import pytest
from cs_adapter.domain.deliveries import CsReply, my_number_request_key, needs_my_number_request
from jumin_contracts.codes import ChangeKind
from jumin_contracts.envelope import new_event_id
from jumin_contracts.messages import RecordState

from ..builders import identity


def test_a_reply_describes_itself_with_code_and_field_names_only() -> None:
    reply = CsReply(400, code="E-FORMAT", errors=("birth_date", "sex"))
    assert reply.describe() == "CS 400 E-FORMAT: birth_date, sex"
    assert CsReply(None, code="ConnectTimeout").describe() == "CS unreachable (ConnectTimeout)"


@pytest.mark.parametrize(
    "kind",
    [
        ChangeKind.BIRTH,
        ChangeKind.MOVE_IN_FROM_ABROAD,
        ChangeKind.EX_OFFICIO_ENTRY,
        ChangeKind.FOREIGN_MOVE_IN_30_46,
    ],
)
def test_a_new_resident_without_a_number_needs_one_requested(kind: ChangeKind) -> None:
    assert needs_my_number_request(identity(change_kind=kind, my_number=None))


def test_no_request_with_a_number_without_a_code_for_a_move_in_or_a_removed_record() -> None:
    assert not needs_my_number_request(identity(change_kind=ChangeKind.BIRTH))
    assert not needs_my_number_request(
        identity(change_kind=ChangeKind.BIRTH, my_number=None, juminhyo_code=None)
    )
    assert not needs_my_number_request(
        identity(change_kind=ChangeKind.DOMESTIC_MOVE_IN, my_number=None)
    )
    assert not needs_my_number_request(
        identity(change_kind=ChangeKind.BIRTH, my_number=None, record_status=RecordState.VOID)
    )


def test_the_request_key_is_the_same_on_every_retry_of_an_event() -> None:
    event = new_event_id()
    assert my_number_request_key(event) == my_number_request_key(event)
    assert my_number_request_key(event) != my_number_request_key(new_event_id())
