"""A change made from a 長官通知 never loops back to 法務省; a 市町村通知 carries the contract only.

Sources: DOMAIN-SERVICES.md §2 and [S:j960] (a change made from a 長官通知 must not send a 市町村通知
back; it still reaches the other recipients), 入管法61条の8の2 (foreign residents only). Properties
over every change kind, for generated residents.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jumin_contracts.codes import ChangeKind, ResidentType
from jumin_contracts.dates import PartialDate
from jumin_contracts.messages import MojMunicipalNotice
from registry.domain.changes import ChangeOrigin
from registry.domain.recipient_policy import MOJ_ITEMS

from .foreign_rows import MOJ, changed, left
from .test_projection import Opener, approved_changes, run


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
