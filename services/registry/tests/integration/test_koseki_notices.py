"""住民票記載事項通知 from the 戸籍 side (住基法9条2項) on real PostgreSQL and RabbitMQ.

What is proven:

- published by jumin_koseki_adapter and applied by the real command consumer, a 婚姻 becomes a
  pending 職権修正 by system:koseki with the new 氏・本籍・筆頭者 — the record does not change until
  a reviewer approves it; a replayed command id changes nothing; the access log names the system;
- a 死亡 becomes a pending 死亡 (職権消除); a second notice for the same death adds nothing;
- a 出生 becomes a pending 出生 into the parents' household, unless the counter entered it;
- nobody with that 住民票コード (or no parent on the register) → unmatched; a request the
  register's rules refuse → refused; neither leaves a change behind.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from jumin_contracts.commands import KosekiCollationNotice, KosekiRecordNotice
from registry.bootstrap import Registry
from registry.config import Settings
from registry.entrypoints.commands_consumer import CommandConsumer
from registry.service_layer.command_handlers import Outcome

from .command_bus import KOSEKI_USER, applied, publish_as
from .helpers import REVIEWER, TokenFactory, apply, approve, auth, juminhyo_code, submit, view

TARO_CODE, HANAKO_CODE, ICHIRO_CODE = (juminhyo_code(f"310000000{i}") for i in (1, 2, 3))
NOBODY_CODE = juminhyo_code("3999999999")
HONSEKI = "東京都新宿区西新宿二丁目8番地"
OSAKA = "大阪府大阪市北区梅田一丁目1番地"
DAYS_AGO = date.today() - timedelta(days=2)


def notice(event: str, code: str | None = ICHIRO_CODE, **fields: Any) -> KosekiRecordNotice:
    """A notice about 山田一郎 stating what the register holds, unless told otherwise."""
    return KosekiRecordNotice.model_validate(
        {
            "command_id": uuid4(),
            "sent_at": datetime.now().astimezone(),
            "notification_id": uuid4(),
            "event": event,
            "event_date": DAYS_AGO,
            "juminhyo_code": code,
            "family_name": "山田",
            "given_name": "一郎",
            "birth_date": "2010-01-20",
            "sex": "male",
            "honseki": HONSEKI,
            "hittosha": "山田一郎",
            "honseki_municipality_code": "131041",
        }
        | fields
    )


async def publish(settings: Settings, command: KosekiRecordNotice | KosekiCollationNotice) -> None:
    body = command.model_dump_json().encode()
    await publish_as(settings, KOSEKI_USER, command.ROUTING_KEY, body, str(command.command_id))


async def change(client: httpx.AsyncClient, token: TokenFactory, change_id: UUID | str) -> Any:
    response = await client.get(f"/changes/{change_id}", headers=auth(token, REVIEWER, "reviewer"))
    assert response.status_code == 200, response.text
    return response.json()


async def record(client: httpx.AsyncClient, token: TokenFactory, atena_no: str) -> Any:
    response = await view(client, token, f"/residents/{atena_no}")
    assert response.status_code == 200, response.text
    return response.json()["record"]


async def changes_count(owner: Any) -> int:
    return int(await owner.fetchval("SELECT count(*) FROM registry.changes"))


async def test_a_marriage_waits_as_a_pending_amendment_until_a_reviewer_approves_it(
    client: httpx.AsyncClient,
    token: TokenFactory,
    settings: Settings,
    owner_connection: Any,
    consumer: CommandConsumer,
    yamada: dict[str, Any],
) -> None:
    married = notice("marriage", family_name="佐藤", honseki=OSAKA, hittosha="佐藤花")
    before = await changes_count(owner_connection)

    await publish(settings, married)
    row = await applied(owner_connection, married.command_id)

    assert row["outcome"] == "pending_review"
    (change_id,) = row["change_ids"]
    pending = await change(client, token, change_id)
    assert (pending["status"], pending["created_by"]) == ("pending", "system:koseki")
    request = pending["request"]
    assert (request["kind"], request["atena_no"]) == ("ex_officio_amendment", yamada["ichiro"])
    patched = {item: value for item, value in request["patch"].items() if value is not None}
    assert patched == {"family_name": "佐藤", "honseki": OSAKA, "hittosha": "佐藤花"}
    assert request["occurred_on"] == DAYS_AGO.isoformat()
    assert request["note"].startswith("戸籍届出通知: 婚姻")
    ichiro = await record(client, token, yamada["ichiro"])
    assert (ichiro["family_name"], ichiro["honseki"]) == ("山田", HONSEKI), "not applied yet"

    marker = notice("marriage", code=NOBODY_CODE)  # one consumer: once it is in, so is the replay
    for command in (married, marker):
        await publish(settings, command)
    assert (await applied(owner_connection, marker.command_id))["outcome"] == "unmatched"
    assert await changes_count(owner_connection) == before + 1, "the replay changed nothing"

    await approve(client, token, str(change_id))

    ichiro = await record(client, token, yamada["ichiro"])
    assert (ichiro["family_name"], ichiro["honseki"], ichiro["hittosha"]) == (
        "佐藤",
        OSAKA,
        "佐藤花",
    )
    logged = await owner_connection.fetchrow(
        "SELECT * FROM registry.access_log WHERE function = 'command:koseki_record_notice'"
        " ORDER BY seq LIMIT 1"
    )
    assert (logged["operator"], list(logged["subjects"])) == ("system:koseki", [yamada["ichiro"]])


async def test_a_notice_the_register_already_states_is_unchanged(
    registry: Registry, owner_connection: Any, yamada: dict[str, Any]
) -> None:
    before = await changes_count(owner_connection)

    result = await apply(registry, notice("name_change"))

    assert result.outcome is Outcome.UNCHANGED
    assert await changes_count(owner_connection) == before


async def test_a_death_waits_for_a_reviewer_and_a_second_notice_adds_nothing(
    client: httpx.AsyncClient,
    token: TokenFactory,
    registry: Registry,
    owner_connection: Any,
    yamada: dict[str, Any],
) -> None:
    result = await apply(registry, notice("death"))

    assert result.outcome is Outcome.PENDING_REVIEW
    (change_id,) = result.change_ids
    request = (await change(client, token, change_id))["request"]
    assert (request["kind"], request["atena_nos"]) == ("death", [yamada["ichiro"]])
    assert request["occurred_on"] == DAYS_AGO.isoformat()
    assert (await record(client, token, yamada["ichiro"]))["status"] == "resident"

    again = await apply(registry, notice("death"))
    assert again.outcome is Outcome.UNCHANGED, "a removal is already pending"

    await approve(client, token, str(change_id))
    ichiro = await record(client, token, yamada["ichiro"])
    assert (ichiro["status"], ichiro["removal_kind"]) == ("removed", "death")
    late = await apply(registry, notice("death"))
    assert late.outcome is Outcome.UNCHANGED, "already removed"


def born(given_name: str, **fields: Any) -> KosekiRecordNotice:
    child = {
        "given_name": given_name,
        "birth_date": DAYS_AGO.isoformat(),
        "sex": "female",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナ",
        "parent_juminhyo_codes": [TARO_CODE, HANAKO_CODE],
    }
    return notice("birth", code=None, **(child | fields))


async def test_a_birth_enters_the_child_unless_the_counter_already_did(
    client: httpx.AsyncClient,
    token: TokenFactory,
    registry: Registry,
    owner_connection: Any,
    yamada: dict[str, Any],
) -> None:
    newborn = {
        "resident_type": "japanese",
        "family_name": "山田",
        "given_name": "花",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナ",
        "birth_date": DAYS_AGO.isoformat(),
        "sex": "female",
        "relationship": "子",
    }
    await submit(
        client,
        token,
        {
            "kind": "birth",
            "occurred_on": DAYS_AGO.isoformat(),
            "notified_on": date.today().isoformat(),
            "persons": [newborn],
            "join_household_no": yamada["household_no"],
        },
    )
    before = await changes_count(owner_connection)

    entered = await apply(registry, born("花"))
    twin = await apply(registry, born("葉"))

    assert entered.outcome is Outcome.UNCHANGED, "the counter entered this child"
    assert twin.outcome is Outcome.PENDING_REVIEW
    (change_id,) = twin.change_ids
    pending = await change(client, token, change_id)
    assert pending["created_by"] == "system:koseki"
    request = pending["request"]
    assert (request["kind"], request["join_household_no"]) == ("birth", yamada["household_no"])
    assert [(p["given_name"], p["relationship"]) for p in request["persons"]] == [("葉", "子")]
    assert request["koseki_filing"]["sent_from"] == "東京都新宿区"
    assert await changes_count(owner_connection) == before + 1


async def test_notices_for_nobody_are_unmatched_and_refusals_leave_nothing(
    registry: Registry, owner_connection: Any, yamada: dict[str, Any]
) -> None:
    before = await changes_count(owner_connection)
    tomorrow = date.today() + timedelta(days=2)

    nobody = await apply(registry, notice("marriage", code=NOBODY_CODE, family_name="佐藤"))
    orphan = await apply(registry, born("葉", parent_juminhyo_codes=[NOBODY_CODE]))
    future = await apply(registry, notice("transfer", honseki=OSAKA, event_date=tomorrow))
    no_kana = await apply(registry, born("葉", given_name_kana=None))

    assert (nobody.outcome, orphan.outcome) == (Outcome.UNMATCHED, Outcome.UNMATCHED)
    assert (future.outcome, no_kana.outcome) == (Outcome.REFUSED, Outcome.REFUSED)
    assert "未来" in (future.detail or "")
    assert "振り仮名" in (no_kana.detail or "")
    assert await changes_count(owner_connection) == before
    outcomes = await owner_connection.fetch(
        "SELECT outcome FROM registry.command_inbox WHERE routing_key = $1",
        KosekiRecordNotice.ROUTING_KEY,
    )
    assert sorted(r["outcome"] for r in outcomes) == [
        "refused",
        "refused",
        "unmatched",
        "unmatched",
    ]
