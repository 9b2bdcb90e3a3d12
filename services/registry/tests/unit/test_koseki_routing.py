"""A 転籍 from the 戸籍 side re-routes the 附票 notices once its 職権修正 is approved.

The recipient policy routes a 戸籍附票記載事項通知 by the 本籍 on the record (住基法19条): the
ward's own 戸籍附票システム for a 本籍 inside the ward, CS (to the 本籍地) for one outside. So
after the 本籍 moves out of the ward, the next 転居 goes through CS; after it moves in, to the
ward's system. The 職権修正 itself tells neither: the 戸籍 side already knows the new 本籍.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from jumin_contracts.codes import HEAD, ChangeKind
from jumin_contracts.commands import KosekiEvent, KosekiRecordNotice
from jumin_contracts.dates import PartialDate
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.changes import ChangeOrigin
from registry.domain.koseki_notices import amendment_for
from registry.domain.model import HistoryRow
from registry.domain.planning import RegisterView, plan_change
from registry.domain.projection import RecordFlags, project
from registry.domain.recipient_policy import Ward
from registry.domain.rules import PlannedRow
from registry.policy import load_policy

from .builders import (
    ACROSS_WARD,
    HOME,
    HONSEKI,
    TODAY,
    atena,
    household_no,
    register,
    request,
    resident,
)

POLICY = load_policy(ward=Ward(code="131041", prefecture="東京都", name="新宿区"))
TARO = atena(1)
OSAKA = "大阪府大阪市北区梅田一丁目1番地"
FUHYO = {"koseki.fuhyo_notice", "cs.fuhyo_notice"}


def transfer(honseki: str, municipality: str) -> KosekiRecordNotice:
    return KosekiRecordNotice(
        command_id=uuid4(),
        sent_at=datetime(2026, 11, 27, 9, tzinfo=UTC),
        notification_id=uuid4(),
        event=KosekiEvent.TRANSFER,
        event_date=TODAY,
        juminhyo_code="12345678903",
        family_name="山田",
        given_name="太郎",
        birth_date="1980-04-01",
        sex="male",
        honseki=honseki,
        hittosha="山田太郎",
        honseki_municipality_code=municipality,
    )


def approved(before: HistoryRow, planned: PlannedRow, kind: ChangeKind) -> HistoryRow:
    return dataclasses.replace(
        before,
        history_no=before.history_no + 1,
        change_id=uuid4(),
        change_kind=kind,
        occurred_on=PartialDate.exact(TODAY),
        ex_officio=planned.ex_officio,
        person=planned.person,
    )


def fuhyo_notices(kind: ChangeKind, before: HistoryRow, after: HistoryRow) -> set[str]:
    """Project an approval as the registry does; return the 附票 notices it sends."""
    messages = project(
        change_kind=kind,
        occurred_on=after.occurred_on,
        rows=[(before, after)],
        origin=ChangeOrigin.STAFF,
        policy=POLICY,
        person_key=lambda atena_no: "k" + atena_no,
        open_my_number=lambda sealed, atena_no: None,
        record_flags=lambda atena_no: RecordFlags(
            support_measure_active=False, seal_registered=False
        ),
        household_head=lambda household: None,
    )
    return {m.routing_key for m in messages} & FUHYO


def after_transfer_and_move(
    addresses: PostalAddressBook, start: str, sent: KosekiRecordNotice
) -> tuple[set[str], set[str]]:
    """Approve the 転籍's 職権修正, then a 転居: the 附票 notices each sends."""
    home = addresses.parse_ward_address(HOME)
    row = resident(TARO, household=household_no(1), at=home, honseki=start, relationship=HEAD)
    view: RegisterView = register(addresses, row)
    amendment = amendment_for(sent, atena_no=TARO, person=row.person)
    [planned] = plan_change(amendment, view)
    amended = approved(row, planned, amendment.kind)
    moved_view = register(addresses, amended)
    move = request(
        ChangeKind.MOVE_WITHIN_WARD,
        occurred_on=TODAY.isoformat(),
        notified_on=TODAY.isoformat(),
        atena_nos=[TARO],
        address=ACROSS_WARD,
    )
    [moved_row] = plan_change(move, moved_view)
    moved = approved(amended, moved_row, ChangeKind.MOVE_WITHIN_WARD)
    return (
        fuhyo_notices(amendment.kind, row, amended),
        fuhyo_notices(ChangeKind.MOVE_WITHIN_WARD, amended, moved),
    )


@pytest.mark.parametrize(
    ("start", "sent", "route"),
    [
        (HONSEKI, transfer(OSAKA, "271276"), "cs.fuhyo_notice"),
        (OSAKA, transfer(HONSEKI, "131041"), "koseki.fuhyo_notice"),
    ],
    ids=["honseki leaves the ward: via CS", "honseki enters the ward: the ward's own system"],
)
def test_after_a_transfer_the_next_fuhyo_notice_goes_where_the_new_honseki_is(
    addresses: PostalAddressBook, start: str, sent: KosekiRecordNotice, route: str
) -> None:
    on_amendment, on_move = after_transfer_and_move(addresses, start, sent)

    assert on_amendment == set(), "the 戸籍 side told us: the 職権修正 echoes nothing back"
    assert on_move == {route}
