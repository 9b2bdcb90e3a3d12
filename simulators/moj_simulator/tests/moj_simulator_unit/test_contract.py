"""The ward's `moj.municipal_notice` fits the wire: every item has its place, and a notice the
registry publishes, mapped item by item, is received (what the adapter will do)."""

from __future__ import annotations

from typing import Any

import httpx
from jumin_contracts.codes import ChangeKind, ForeignResidentCategory, Sex
from jumin_contracts.messages import MojMunicipalNotice, NoticeClass
from moj_simulator.domain.notices import MunicipalNoticeBody

from .builders import CARD, feed, notice, send

RENAMED = {"change_kind": "change_reason", "occurred_on": "change_date"}
"""Contract item → wire item where the names differ."""

NATIONALITY_CODES = {"ベトナム": "VNM"}
"""The adapter's table from the registry's 国籍・地域 text to the wire's code (assumption 3)."""


def published() -> MojMunicipalNotice:
    """What the registry publishes for a 法第30条の46 転入."""
    return MojMunicipalNotice(
        change_kind=ChangeKind.FOREIGN_MOVE_IN_30_46,
        occurred_on="2026-11-20",
        name_alphabet="NGUYEN VAN AN",
        family_name="グエン",
        given_name="ヴァン アン",
        birth_date="1995-03-12",
        sex=Sex.MALE,
        nationality="ベトナム",
        address="東京都新宿区西新宿二丁目8番1号",
        foreign_category=ForeignResidentCategory.MID_LONG_TERM,
        status_of_residence="技術・人文知識・国際業務",
        period_of_stay="5年",
        stay_expires_on="2030-04-01",
        residence_card_no=CARD,
        special_permanent_cert_no=None,
        notice_class=NoticeClass.JUKI_AND_IMMIGRATION,
        previous_address=None,
    )


def as_wire(message: MojMunicipalNotice, *, notification_date: str) -> dict[str, Any]:
    """Map a published notice onto the wire body (full dates only, as here)."""
    items = message.model_dump(mode="json")
    body = {RENAMED.get(name, name): value for name, value in items.items()}
    for name in ("change_date", "birth_date", "stay_expires_on"):
        body[name] = body[name].replace("-", "") if body[name] else None
    body["sex"] = {"male": "1", "female": "2"}[body["sex"]]
    body["nationality"] = NATIONALITY_CODES[body["nationality"]]
    return body | {"notification_date": notification_date}


def test_every_item_of_the_contract_has_a_place_on_the_wire() -> None:
    wire = set(MunicipalNoticeBody.model_fields)

    assert {RENAMED.get(name, name) for name in MojMunicipalNotice.model_fields} <= wire
    # what the wire has beyond the contract: 届出年月日 (the envelope's notified_on; INTERFACE.md)
    beyond = wire - {RENAMED.get(name, name) for name in MojMunicipalNotice.model_fields}
    assert beyond == {"notification_date"}


async def test_a_published_notice_mapped_item_by_item_is_received_and_processed(
    client: httpx.AsyncClient,
) -> None:
    response = await send(client, notice(as_wire(published(), notification_date="20261121")))

    assert response.status_code == 201, response.text
    [result] = await feed(client)
    assert result["body"]["result"] == "ok"
