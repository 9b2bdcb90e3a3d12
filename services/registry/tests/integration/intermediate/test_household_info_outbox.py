"""住民票関係情報 out, on real PostgreSQL: API → pending → approve → outbox rows (schema @2).

What is proven (DOMAIN-SERVICES.md §3): a pending change sends nothing; an approved 転入 sends
every member's 7条4号 items as the law words them, keyed by the 住記宛名番号 with the person's own
住民票コード and 個人番号; a 世帯主変更 tells every member; a newborn's 個人番号, arriving later from
CS, re-sends the record with it; a 死亡 marks the record 消除; a 取消 of the 転入 marks it 取消.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import uuid4

import httpx
from jumin_contracts.commands import MyNumberAssigned
from jumin_contracts.envelope import parse_payload
from jumin_contracts.messages import IntermediateHouseholdInfo, RecordState
from registry.bootstrap import Registry
from registry.service_layer.command_handlers import Outcome

from ..helpers import (
    Body,
    TokenFactory,
    apply,
    approve,
    cancellation,
    death,
    enter_and_approve,
    family,
    juminhyo_code,
    move_in,
    outbox_messages,
    person,
    submit,
)

INFO = "intermediate.household_info"
TARO_NUMBER = "621498320257"
BABY_NUMBER = "983205673214"
TARO_CODE, HANAKO_CODE = juminhyo_code("3100000001"), juminhyo_code("3100000002")
HEAD_NAME = "山田\u3000太郎"


def family_moving_in() -> Body:
    """The 山田 family's 国内転入 (helpers.family: 住民票コード each); only the head has a 個人番号."""
    taro, hanako, ichiro = family()
    return move_in(taro | {"my_number": TARO_NUMBER}, hanako, ichiro)


async def sent(registry: Registry, change_id: str) -> list[IntermediateHouseholdInfo]:
    """The household infos an approved change left in the outbox, read as the adapter will."""
    envelopes = await outbox_messages(registry, change_id, INFO)
    return [parse_payload(e, IntermediateHouseholdInfo) for e in envelopes]  # refuses @1


async def family_on_register(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry
) -> tuple[Body, dict[str, IntermediateHouseholdInfo]]:
    change = await enter_and_approve(client, token, family_moving_in())
    infos = await sent(registry, change["change_id"])
    return change, {info.given_name: info for info in infos}


async def test_nothing_leaves_before_approval_and_the_move_in_sends_the_laws_items(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry
) -> None:
    pending = await submit(client, token, family_moving_in())
    assert await sent(registry, pending["change_id"]) == [], "仮登録 is not told to anyone"

    approved = await approve(client, token, pending["change_id"])
    infos = {i.given_name: i for i in await sent(registry, approved["change_id"])}
    taro, hanako = infos["太郎"], infos["花子"]

    assert set(approved["subjects"]) == {i.juki_atena_no for i in infos.values()}
    assert (taro.is_head, taro.head_name, taro.relationship) == (True, None, None)
    assert (hanako.is_head, hanako.head_name, hanako.relationship) == (False, HEAD_NAME, "妻")
    assert taro.household_no == hanako.household_no
    assert (taro.juminhyo_code, taro.my_number) == (TARO_CODE, TARO_NUMBER)
    assert (hanako.juminhyo_code, hanako.my_number) == (HANAKO_CODE, None)
    assert (hanako.birth_date, hanako.sex.value) == ("1982-07-10", "female")
    assert taro.address == hanako.address == "東京都新宿区西新宿二丁目8番1号"
    assert {taro.record_status, hanako.record_status} == {RecordState.RESIDENT}
    assert taro.change_kind.value == "domestic_move_in"
    assert taro.occurred_on == "2024-04-01"


async def test_a_head_change_tells_every_member(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry
) -> None:
    _, members = await family_on_register(client, token, registry)
    taro, hanako = members["太郎"], members["花子"]
    change = await enter_and_approve(
        client,
        token,
        {
            "kind": "head_change",
            "occurred_on": "2025-04-01",
            "notified_on": "2025-04-02",
            "household_no": taro.household_no,
            "new_head": hanako.juki_atena_no,
            "relationships": {taro.juki_atena_no: "夫", members["一郎"].juki_atena_no: "子"},
        },
    )

    after = {i.given_name: i for i in await sent(registry, change["change_id"])}
    assert set(after) == {"太郎", "花子", "一郎"}, "一郎 too: still 子, of another 世帯主"
    assert after["一郎"].head_name == "山田\u3000花子"
    assert (after["花子"].is_head, after["花子"].relationship) == (True, None)
    assert (after["太郎"].head_name, after["太郎"].relationship) == ("山田\u3000花子", "夫")


async def test_a_newborns_number_arriving_later_is_sent_with_the_record(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry, owner_connection: Any
) -> None:
    await owner_connection.executemany(  # the pool of 住民票コード CS supplies: a 出生 draws one
        "INSERT INTO registry.juminhyo_code_pool (code, received_at) VALUES ($1, now())"
        " ON CONFLICT DO NOTHING",
        [(juminhyo_code(f"42{n:08d}"),) for n in range(3)],
    )
    _, members = await family_on_register(client, token, registry)
    baby = person(
        "山田", "桃子", "ヤマダ", "モモコ", relationship="子", birth_date="2025-05-01", sex="female"
    )
    born = await enter_and_approve(
        client,
        token,
        {
            "kind": "birth",
            "occurred_on": "2025-05-01",
            "notified_on": "2025-05-02",
            "persons": [baby],
            "join_household_no": members["太郎"].household_no,
        },
    )
    (at_birth,) = await sent(registry, born["change_id"])
    assert (at_birth.my_number, at_birth.head_name) == (None, HEAD_NAME), "no 符号 without it"
    assert at_birth.juminhyo_code is not None, "a 出生 draws its code from the pool"

    command = MyNumberAssigned(
        command_id=uuid4(),
        sent_at=datetime.now().astimezone(),
        juminhyo_code=at_birth.juminhyo_code,
        my_number=BABY_NUMBER,
    )
    result = await apply(registry, command)
    assert result.outcome is Outcome.APPLIED, result.detail
    (change_id,) = result.change_ids
    (numbered,) = await sent(registry, str(change_id))
    assert (numbered.juki_atena_no, numbered.my_number) == (at_birth.juki_atena_no, BABY_NUMBER)


async def test_a_death_marks_the_record_removed_and_a_cancelled_move_in_void(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry
) -> None:
    moved_in, members = await family_on_register(client, token, registry)
    hanako = members["花子"]
    died = await enter_and_approve(client, token, death(hanako.juki_atena_no))
    (removed,) = await sent(registry, died["change_id"])
    assert (removed.juki_atena_no, removed.record_status) == (
        hanako.juki_atena_no,
        RecordState.REMOVED,
    )

    undone = await enter_and_approve(
        client, token, cancellation(moved_in["change_id"]) | {"also_cancel": [died["change_id"]]}
    )
    voided = {i.given_name: i.record_status for i in await sent(registry, undone["change_id"])}
    assert voided == dict.fromkeys(("太郎", "花子", "一郎"), RecordState.VOID)


async def test_a_renamed_head_tells_the_other_members_and_its_cancellation_again(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry
) -> None:
    _, members = await family_on_register(client, token, registry)
    taro, hanako = members["太郎"], members["花子"]
    renamed = await enter_and_approve(
        client,
        token,
        {
            "kind": "ex_officio_amendment",
            "occurred_on": "2025-06-01",
            "atena_no": taro.juki_atena_no,
            "patch": {"given_name": "太朗"},
        },
    )
    told = {i.juki_atena_no: i for i in await sent(registry, renamed["change_id"])}
    assert set(told) == {taro.juki_atena_no, hanako.juki_atena_no, members["一郎"].juki_atena_no}
    assert told[hanako.juki_atena_no].head_name == "山田\u3000太朗"
    assert told[hanako.juki_atena_no].change_kind.value == "ex_officio_amendment"
    assert renamed["subjects"] == [taro.juki_atena_no], "no row of hers is appended"

    undone = await enter_and_approve(client, token, cancellation(renamed["change_id"]))
    restored = {i.juki_atena_no: i for i in await sent(registry, undone["change_id"])}
    assert restored[hanako.juki_atena_no].head_name == HEAD_NAME
