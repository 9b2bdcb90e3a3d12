"""長官通知 in and 市町村通知 out, on real PostgreSQL: command → pending → approve → outbox rows.

What is proven (DOMAIN-SERVICES.md §2):

- a change made from a 長官通知 never sends a 市町村通知 back (no loop), but still reaches the
  other recipients its rows select (a 氏名 correction → CS's 本人確認情報); the clerk's next
  change of that person notifies the ministry again;
- a new 在留カード番号 from a 長官通知 is not a CS item (no cs.identity), and the next 市町村通知
  (a 転居) carries it, with the address left as 前住所;
- a 在留終了 (stay_ended) notice becomes a pending 職権消除 entered by system:moj, removed only
  once a reviewer approves it, and not notified back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
from jumin_contracts.commands import MojDirectorNotice
from jumin_contracts.envelope import Envelope
from registry.bootstrap import Registry
from registry.service_layer.command_handlers import Outcome

from ..helpers import (
    OTHER_WARD_ADDRESS,
    OTHER_WARD_ADDRESS_TEXT,
    PREVIOUS_ADDRESS,
    REVIEWER,
    WARD_ADDRESS_TEXT,
    TokenFactory,
    apply,
    approve,
    auth,
    enter_and_approve,
    foreign_person,
    juminhyo_code,
    move_in,
    move_within_ward,
    outbox_messages,
    record,
)

CARD = "AB12345678CD"
NEW_CARD = "CD87654321EF"
CODE = juminhyo_code("2468013579")
MOJ, CS = "moj.municipal_notice", "cs.identity"


async def smith_on_register(client: httpx.AsyncClient, token: TokenFactory) -> str:
    """Register a foreign resident by a 国内転入 (notified: a clerk's change)."""
    change = await enter_and_approve(
        client, token, move_in(foreign_person(CARD, juminhyo_code=CODE))
    )
    (atena_no,) = change["subjects"]
    return str(atena_no)


def director_notice(kind: str, **fields: Any) -> MojDirectorNotice:
    return MojDirectorNotice.model_validate(
        {
            "command_id": uuid4(),
            "sent_at": datetime.now().astimezone(),
            "residence_card_no": CARD,
            "notice_kind": kind,
            "effective_on": date.today() - timedelta(days=1),
            "notice_text": "長官通知",
        }
        | fields
    )


async def pending_from(registry: Registry, notice: MojDirectorNotice) -> str:
    """Apply a 長官通知; return the one pending change it entered."""
    result = await apply(registry, notice)
    assert result.outcome is Outcome.PENDING_REVIEW, result.detail
    (change_id,) = result.change_ids
    return str(change_id)


async def sent(registry: Registry, change: dict[str, Any], routing_key: str) -> list[Envelope]:
    return await outbox_messages(registry, change["change_id"], routing_key)


async def test_a_move_in_notifies_the_ministry_with_the_previous_address(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry
) -> None:
    change = await enter_and_approve(client, token, move_in(foreign_person(CARD)))

    (notice,) = await sent(registry, change, MOJ)
    assert notice.payload["previous_address"] == PREVIOUS_ADDRESS
    assert notice.payload["address"] == WARD_ADDRESS_TEXT
    assert notice.payload["notice_class"] == "juki_and_immigration"
    assert notice.notified_on == date(2024, 4, 5)  # 届出年月日, from the envelope


async def test_a_name_corrected_by_the_ministry_reaches_cs_but_is_not_notified_back(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry
) -> None:
    smith = await smith_on_register(client, token)
    notice = director_notice("item_correction", corrections={"name_alphabet": "SMITH JOHN PAUL"})
    change_id = await pending_from(registry, notice)

    listed = await client.get(f"/changes/{change_id}", headers=auth(token, REVIEWER, "reviewer"))
    assert (listed.json()["created_by"], listed.json()["origin"]) == ("system:moj", "moj")
    approved = await approve(client, token, change_id)

    assert await sent(registry, approved, MOJ) == []
    (identity,) = await sent(registry, approved, CS)
    assert identity.payload["name_alphabet"] == "SMITH JOHN PAUL"

    moved = await enter_and_approve(client, token, move_within_ward([smith]))
    (notice_after,) = await sent(registry, moved, MOJ)  # the clerk's own change notifies again
    assert notice_after.payload["name_alphabet"] == "SMITH JOHN PAUL"


async def test_a_new_card_number_skips_cs_and_travels_with_the_next_notice(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry
) -> None:
    smith = await smith_on_register(client, token)
    change_id = await pending_from(
        registry, director_notice("card_issued", corrections={"residence_card_no": NEW_CARD})
    )
    assert (await record(client, token, smith))["record"]["residence_card_no"] == CARD  # 仮登録

    approved = await approve(client, token, change_id)

    assert await sent(registry, approved, CS) == [], "在留カード番号 is not a CS item"
    assert await sent(registry, approved, MOJ) == [], "the ministry issued the card itself"
    assert (await record(client, token, smith))["record"]["residence_card_no"] == NEW_CARD
    moved = await enter_and_approve(
        client, token, move_within_ward([smith], address=OTHER_WARD_ADDRESS)
    )
    (notice,) = await sent(registry, moved, MOJ)
    assert notice.payload["residence_card_no"] == NEW_CARD
    assert notice.payload["address"] == OTHER_WARD_ADDRESS_TEXT
    assert notice.payload["previous_address"] == WARD_ADDRESS_TEXT
    assert notice.payload["change_kind"] == "move_within_ward"


async def test_a_stay_ended_notice_waits_as_a_removal_and_is_not_notified_back(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry
) -> None:
    smith = await smith_on_register(client, token)
    change_id = await pending_from(registry, director_notice("stay_ended"))

    reviewer = auth(token, REVIEWER, "reviewer")
    pending = (await client.get(f"/changes/{change_id}", headers=reviewer)).json()
    assert (pending["status"], pending["created_by"]) == ("pending", "system:moj")
    assert pending["request"]["kind"] == "ex_officio_removal"
    assert pending["request"]["atena_nos"] == [smith]
    assert (await record(client, token, smith))["record"]["status"] == "resident"

    approved = await approve(client, token, change_id)

    items = (await record(client, token, smith))["record"]
    assert (items["status"], items["removal_kind"]) == ("removed", "ex_officio_removal")
    assert await sent(registry, approved, MOJ) == []
    (identity,) = await sent(registry, approved, CS)  # CS still hears of the 消除
    assert identity.payload["record_status"] == "removed"
