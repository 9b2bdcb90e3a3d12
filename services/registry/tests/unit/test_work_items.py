"""Staff work items from the 戸籍 side's 19条 notices: what they name, and resolving them once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
from jumin_contracts.commands import HonsekiTransferNotice, KosekiCollationNotice
from registry.adapters.address_dictionary import PostalAddressBook
from registry.domain.errors import NothingToChange, RuleViolation, StateConflict
from registry.domain.model import Person
from registry.domain.work_items import (
    Resolution,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
    collation_item,
    transfer_item,
)

from .builders import HOME, HONSEKI, atena, household_no, refused, resident

NOW = datetime(2026, 11, 27, 10, tzinfo=UTC)
CODE = "12345678903"
OSAKA = "大阪府大阪市北区梅田一丁目1番地"


@pytest.fixture
def person(addresses: PostalAddressBook) -> Person:
    home = addresses.parse_ward_address(HOME)
    return resident(atena(1), household=household_no(1), at=home).person


def collation(**fields: Any) -> KosekiCollationNotice:
    return KosekiCollationNotice.model_validate(
        {
            "command_id": uuid4(),
            "sent_at": NOW,
            "notification_id": uuid4(),
            "honseki": HONSEKI,
            "hittosha": "山田太郎",
            "juminhyo_code": CODE,
            "differing_items": ["name", "sex"],
            "koseki_items": {
                "family_name": "山田",
                "given_name": "太朗",
                "birth_date": "1980-04-01",
                "sex": "female",
            },
            "receipt_no": "R-1",
        }
        | fields
    )


def transfer(**fields: Any) -> HonsekiTransferNotice:
    return HonsekiTransferNotice.model_validate(
        {
            "command_id": uuid4(),
            "sent_at": NOW,
            "notification_id": uuid4(),
            "juminhyo_code": CODE,
            "previous_honseki": HONSEKI,
            "previous_hittosha": "山田太郎",
            "honseki": OSAKA,
            "hittosha": "山田太郎",
            "honseki_municipality_code": "271276",
            "event_date": date(2026, 11, 20),
        }
        | fields
    )


def opened() -> WorkItem:
    return collation_item(collation(), work_item_id=uuid4(), atena_no=atena(1), received_at=NOW)


def test_a_collation_notice_names_the_person_the_items_and_what_the_koseki_states() -> None:
    notice = collation()

    item = collation_item(notice, work_item_id=uuid4(), atena_no=atena(1), received_at=NOW)

    assert (item.kind, item.status, item.atena_no) == (
        WorkItemKind.KOSEKI_COLLATION,
        WorkItemStatus.OPEN,
        atena(1),
    )
    assert (item.command_id, item.notification_id) == (notice.command_id, notice.notification_id)
    assert item.differing_items == ("name", "sex")
    assert item.stated["koseki_items"]["given_name"] == "太朗"
    assert "command_id" not in item.stated, "ids have their own columns"


def test_a_transfer_notice_names_what_the_register_states_otherwise(person: Person) -> None:
    item = transfer_item(
        transfer(hittosha="山田花子"),
        work_item_id=uuid4(),
        atena_no=atena(1),
        person=person,
        received_at=NOW,
    )

    assert (item.kind, item.differing_items) == (
        WorkItemKind.HONSEKI_TRANSFER,
        ("honseki", "hittosha"),
    )
    assert (item.stated["previous_honseki"], item.stated["honseki"]) == (HONSEKI, OSAKA)


def test_a_transfer_the_register_already_states_leaves_nothing_to_check(person: Person) -> None:
    with refused(NothingToChange, "記載済み"):
        transfer_item(
            transfer(honseki=HONSEKI),
            work_item_id=uuid4(),
            atena_no=atena(1),
            person=person,
            received_at=NOW,
        )


def test_resolving_keeps_how_who_when_and_why() -> None:
    change_id = uuid4()

    done = opened().resolve(
        how=Resolution.CORRECTED, by="clerk01", at=NOW, reason="職権修正", change_id=change_id
    )

    assert done.status is WorkItemStatus.RESOLVED
    assert (done.resolution, done.correction_change_id) == (Resolution.CORRECTED, change_id)
    assert (done.resolved_by, done.resolved_at, done.resolution_reason) == (
        "clerk01",
        NOW,
        "職権修正",
    )


@pytest.mark.parametrize(
    ("how", "change_id"),
    [(Resolution.CORRECTED, None), (Resolution.RESENT, uuid4()), (Resolution.NO_ACTION, uuid4())],
)
def test_a_change_is_named_exactly_when_the_item_was_corrected(
    how: Resolution, change_id: Any
) -> None:
    with refused(RuleViolation, "corrected"):
        opened().resolve(how=how, by="clerk01", at=NOW, reason="r", change_id=change_id)


def test_a_work_item_is_resolved_once() -> None:
    done = opened().resolve(how=Resolution.RESENT, by="clerk01", at=NOW, reason="再送")

    with refused(StateConflict, "処理済み"):
        done.resolve(how=Resolution.NO_ACTION, by="clerk02", at=NOW, reason="r")
