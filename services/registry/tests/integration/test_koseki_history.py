"""出生 / 死亡 in the 異動履歴: recorded 職権 on the 戸籍届出 the ward received (spec 4.2.1.2, 4.2.2.1)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .helpers import (
    TokenFactory,
    by_given_name,
    death,
    enter_and_approve,
    family,
    juminhyo_code,
    move_in,
    person,
    view,
)


@pytest.fixture(autouse=True)
async def free_codes(owner_connection: Any) -> None:
    """Stock the pool of 住民票コード CS supplies: a 出生 draws one (an empty pool refuses it)."""
    await owner_connection.executemany(
        "INSERT INTO registry.juminhyo_code_pool (code, received_at) VALUES ($1, now())"
        " ON CONFLICT DO NOTHING",
        [(juminhyo_code(f"8{n:09d}"),) for n in range(20)],
    )


async def test_history_shows_a_birth_as_ex_officio_on_a_birth_notification_received_elsewhere(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    people = await by_given_name(
        client, token, await enter_and_approve(client, token, move_in(*family()))
    )
    baby = person("山田", "二郎", "ヤマダ", "ジロウ", relationship="子", birth_date="2025-03-01")
    filing = {
        "accepted_on": "2025-03-06",
        "accepted_at": "大阪府大阪市北区",
        "sent_from": "大阪府大阪市北区",
        "notice_received_on": "2025-03-10",
    }
    born = await enter_and_approve(
        client,
        token,
        {
            "kind": "birth",
            "occurred_on": "2025-03-01",
            "notified_on": "2025-03-05",
            "persons": [baby],
            "join_household_no": people["太郎"]["record"]["household_no"],
            "koseki_filing": filing,
        },
    )
    atena_no = (await by_given_name(client, token, born))["二郎"]["atena_no"]

    (row,) = (await view(client, token, f"/residents/{atena_no}/history")).json()

    assert (row["change_kind"], row["ex_officio"], row["recorded_as"]) == (
        "birth",
        True,
        "職権記載",
    )
    assert row["koseki_basis"] == {"filing": "出生届", "filed_on": "2025-03-05", **filing}
    assert row["record"]["notified_on"] == "2025-03-05"  # 戸籍届出日 (spec 4.2.0.4)
    moved_in = (
        await view(client, token, f"/residents/{people['太郎']['atena_no']}/history")
    ).json()
    assert (moved_in[0]["recorded_as"], moved_in[0]["koseki_basis"]) == ("届出", None)


async def test_history_shows_a_death_entered_at_the_counter_as_ex_officio_removal(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    people = await by_given_name(
        client, token, await enter_and_approve(client, token, move_in(*family()))
    )
    ichiro = people["一郎"]["atena_no"]

    await enter_and_approve(client, token, death(ichiro))

    last = (await view(client, token, f"/residents/{ichiro}/history")).json()[-1]
    assert (last["change_kind"], last["ex_officio"], last["recorded_as"]) == (
        "death",
        True,
        "職権消除",
    )
    assert last["koseki_basis"] == {
        "filing": "死亡届",
        "filed_on": "2025-02-03",
        "accepted_on": "2025-02-03",
        "accepted_at": None,
        "sent_from": None,
        "notice_received_on": None,
    }
