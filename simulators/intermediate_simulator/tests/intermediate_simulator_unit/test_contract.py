"""The registry's `intermediate.household_info` fits the 副本's items: what the contract carries
today (世帯主であるか, 世帯主の氏名, 続柄) has its place, and a message mapped item by item is stored
(what the adapter will do; the contract's new version adds the record status and 異動事由)."""

from __future__ import annotations

import httpx
from intermediate_simulator.domain.data_items import JuminhyoKankeiItems
from jumin_contracts.messages import IntermediateHouseholdInfo

from .builders import operation, stored

RENAMED = {"is_head": "head_of_household"}
"""Contract item → 副本 item where the names differ."""

LAW_ITEMS = {"is_head", "head_name", "relationship"}
"""住基法7条4号's items in the contract: 世帯主である旨, 世帯主の氏名, 世帯主との続柄."""


def test_the_law_items_of_the_contract_have_a_place_in_the_copy() -> None:
    assert set(IntermediateHouseholdInfo.model_fields) >= LAW_ITEMS
    assert {RENAMED.get(name, name) for name in LAW_ITEMS} <= set(JuminhyoKankeiItems.model_fields)


async def test_a_member_mapped_from_the_contract_is_stored(client: httpx.AsyncClient) -> None:
    published = {"is_head": False, "head_name": "山田 太郎", "relationship": "子"}
    items = {RENAMED.get(k, k): v for k, v in published.items()} | {
        "record_status": "resident",
        "change_reason": "birth",
        "change_date": "20261201",
    }

    answer = await stored(client, operation("register", items))

    assert answer["version"] == 1
