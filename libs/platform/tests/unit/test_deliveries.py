"""The shared delivery record's rules: reply classification, the hold rule, the DDL's guard."""

from __future__ import annotations

import pytest
from jumin_platform.deliveries import Reply, ReplyClass, classify, deliveries_ddl, should_hold


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (201, ReplyClass.ACCEPTED),
        (200, ReplyClass.ACCEPTED),
        (400, ReplyClass.PERMANENT),
        (409, ReplyClass.PERMANENT),
        (422, ReplyClass.PERMANENT),
        (408, ReplyClass.TRANSIENT),
        (429, ReplyClass.TRANSIENT),
        (500, ReplyClass.TRANSIENT),
        (503, ReplyClass.TRANSIENT),
        (None, ReplyClass.TRANSIENT),
    ],
)
def test_answers_are_classified_by_whether_a_retry_can_help(
    status: int | None, kind: ReplyClass
) -> None:
    assert classify(status) is kind


def test_a_reply_names_codes_and_fields_only() -> None:
    reply = Reply(422, code="E-NAME-MISMATCH", errors=("E-NAME-MISMATCH", "E-SEX-MISMATCH"))
    assert reply.describe() == "recipient 422 E-NAME-MISMATCH: E-NAME-MISMATCH, E-SEX-MISMATCH"


@pytest.mark.parametrize(
    ("manual", "has_held", "hold"),
    [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
)
def test_messages_are_held_in_manual_mode_or_behind_held_ones(
    manual: bool, has_held: bool, hold: bool
) -> None:
    assert should_hold(manual_mode=manual, person_has_held=has_held) is hold


def test_the_ledger_ddl_lists_the_adapters_types_and_refuses_odd_names() -> None:
    ddl = deliveries_ddl("koseki_adapter", types=("fuhyo_notice",), grant_to="jumin_koseki_adapter")
    assert "CREATE TABLE IF NOT EXISTS koseki_adapter.deliveries" in ddl
    assert "type IN ('fuhyo_notice')" in ddl
    assert "TO jumin_koseki_adapter" in ddl
    with pytest.raises(ValueError, match="message type"):
        deliveries_ddl("koseki_adapter", types=("x'); DROP TABLE y; --",))
    with pytest.raises(ValueError, match="at least one"):
        deliveries_ddl("koseki_adapter", types=())
