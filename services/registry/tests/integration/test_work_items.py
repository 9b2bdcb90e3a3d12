"""Staff work items from the 戸籍 side's 19条 notices, on real PostgreSQL and RabbitMQ.

What is proven:

- a 戸籍照合通知 published by jumin_koseki_adapter becomes exactly one open work item (a replay
  adds none) naming the person, the differing items, the 戸籍's stated items and the command;
  the register is not written;
- a clerk resolves it once, naming the 職権修正 entered; who, when and how are kept;
- bad resolve input is a 4xx problem+json and changes nothing;
- a 本籍転属通知 becomes a work item naming the 本籍 before and after, unless the register
  already states the new 本籍.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from jumin_contracts.commands import HonsekiTransferNotice, KosekiCollationNotice
from registry.bootstrap import Registry
from registry.config import Settings
from registry.entrypoints.commands_consumer import CommandConsumer
from registry.service_layer.command_handlers import Outcome, apply_command

from .command_bus import KOSEKI_USER, applied, publish_as
from .helpers import TokenFactory, auth, is_problem, juminhyo_code, row_counts, submit

ICHIRO_CODE = juminhyo_code("3100000003")
HONSEKI = "東京都新宿区西新宿二丁目8番地"
OSAKA = "大阪府大阪市北区梅田一丁目1番地"
CLERK = ("clerk02", "clerk")


def collation(**fields: Any) -> KosekiCollationNotice:
    return KosekiCollationNotice.model_validate(
        {
            "command_id": uuid4(),
            "sent_at": datetime.now().astimezone(),
            "notification_id": uuid4(),
            "honseki": HONSEKI,
            "hittosha": "山田一郎",
            "juminhyo_code": ICHIRO_CODE,
            "differing_items": ["name"],
            "koseki_items": {
                "family_name": "山田",
                "given_name": "市郎",
                "birth_date": "2010-01-20",
                "sex": "male",
            },
            "receipt_no": "R-0001",
        }
        | fields
    )


def transfer(**fields: Any) -> HonsekiTransferNotice:
    return HonsekiTransferNotice.model_validate(
        {
            "command_id": uuid4(),
            "sent_at": datetime.now().astimezone(),
            "notification_id": uuid4(),
            "juminhyo_code": ICHIRO_CODE,
            "previous_honseki": HONSEKI,
            "previous_hittosha": "山田一郎",
            "honseki": OSAKA,
            "hittosha": "山田一郎",
            "honseki_municipality_code": "271276",
            "event_date": date.today() - timedelta(days=2),
        }
        | fields
    )


async def publish(settings: Settings, command: KosekiCollationNotice) -> None:
    body = command.model_dump_json().encode()
    await publish_as(settings, KOSEKI_USER, command.ROUTING_KEY, body, str(command.command_id))


async def open_items(client: httpx.AsyncClient, token: TokenFactory) -> list[Any]:
    response = await client.get(
        "/work-items", params={"status": "open"}, headers=auth(token, "viewer01", "viewer")
    )
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


async def resolve(
    client: httpx.AsyncClient, token: TokenFactory, work_item_id: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        f"/work-items/{work_item_id}/resolve", json=body, headers=auth(token, *CLERK)
    )


def correction(atena_no: str) -> dict[str, Any]:
    """The 職権修正 a clerk enters after checking the 戸籍."""
    return {
        "kind": "ex_officio_amendment",
        "occurred_on": (date.today() - timedelta(days=1)).isoformat(),
        "atena_no": atena_no,
        "patch": {"given_name": "市郎", "given_name_kana": "イチロウ"},
    }


@pytest.fixture
async def item(
    client: httpx.AsyncClient,
    token: TokenFactory,
    settings: Settings,
    owner_connection: Any,
    consumer: CommandConsumer,
    yamada: dict[str, Any],
) -> dict[str, Any]:
    """One open work item from a 戸籍照合通知 about 山田一郎, delivered through the broker."""
    command = collation()
    await publish(settings, command)
    assert (await applied(owner_connection, command.command_id))["outcome"] == "work_item"
    [opened] = await open_items(client, token)
    return {"command": command, **opened}


async def test_a_collation_notice_opens_one_work_item_and_writes_nothing(
    client: httpx.AsyncClient,
    token: TokenFactory,
    settings: Settings,
    owner_connection: Any,
    yamada: dict[str, Any],
    item: dict[str, Any],
) -> None:
    command = item["command"]
    assert (item["kind"], item["kind_name"], item["status"]) == (
        "koseki_collation",
        "戸籍照合通知",
        "open",
    )
    assert (item["atena_no"], item["differing_items"]) == (yamada["ichiro"], ["name"])
    assert item["command_id"] == str(command.command_id)
    assert item["notification_id"] == str(command.notification_id)
    assert item["collation"]["koseki_items"]["given_name"] == "市郎"
    assert (item["collation"]["honseki"], item["collation"]["receipt_no"]) == (HONSEKI, "R-0001")
    assert (item["transfer"], item["resolution"]) == (None, None)
    logged = await owner_connection.fetchrow(
        "SELECT * FROM registry.access_log WHERE function = 'command:koseki_collation_notice'"
    )
    assert (logged["operator"], list(logged["subjects"])) == ("system:koseki", [yamada["ichiro"]])
    counts = await row_counts(owner_connection)

    marker = collation(juminhyo_code=juminhyo_code("3999999999"))
    for again in (command, marker):  # a replay, then a notice about nobody
        await publish(settings, again)
    assert (await applied(owner_connection, marker.command_id))["outcome"] == "unmatched"

    assert [i["work_item_id"] for i in await open_items(client, token)] == [item["work_item_id"]]
    assert await row_counts(owner_connection) == counts, "the register is not written"


async def test_a_clerk_resolves_it_once_naming_the_correction(
    client: httpx.AsyncClient, token: TokenFactory, yamada: dict[str, Any], item: dict[str, Any]
) -> None:
    fix = await submit(client, token, correction(yamada["ichiro"]))
    body = {"how": "corrected", "change_id": fix["change_id"], "reason": "戸籍と照合し職権修正"}

    resolved = await resolve(client, token, item["work_item_id"], body)

    assert resolved.status_code == 200, resolved.text
    resolution = resolved.json()["resolution"]
    assert (resolution["how"], resolution["change_id"]) == ("corrected", fix["change_id"])
    assert (resolution["resolved_by"], resolution["reason"]) == ("clerk02", "戸籍と照合し職権修正")
    shown = await client.get(
        f"/work-items/{item['work_item_id']}", headers=auth(token, "reviewer01", "reviewer")
    )
    assert shown.json()["status"] == "resolved"
    kept = shown.json()["resolution"]
    assert datetime.fromisoformat(kept.pop("resolved_at")) == datetime.fromisoformat(
        resolution.pop("resolved_at")
    )
    assert kept == resolution
    assert await open_items(client, token) == []
    twice = await resolve(client, token, item["work_item_id"], {"how": "no_action", "reason": "r"})
    assert is_problem(twice, 409), twice.text


async def test_bad_resolve_input_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    yamada: dict[str, Any],
    item: dict[str, Any],
) -> None:
    someone_else = await submit(client, token, correction(yamada["taro"]))
    work_item_id = item["work_item_id"]
    refusals = [
        (work_item_id, {"how": "corrected", "reason": "修正済み"}, 422),  # which change?
        (
            work_item_id,
            {"how": "resent", "change_id": someone_else["change_id"], "reason": "r"},
            422,
        ),
        (
            work_item_id,
            {"how": "corrected", "change_id": someone_else["change_id"], "reason": "r"},
            422,
        ),
        (work_item_id, {"how": "corrected", "change_id": str(uuid4()), "reason": "r"}, 422),
        (work_item_id, {"how": "fixed", "reason": "r"}, 422),
        (work_item_id, {"how": "no_action", "reason": ""}, 422),
        (work_item_id, {"how": "no_action", "reason": "r", "by": "someone"}, 422),
        (str(uuid4()), {"how": "no_action", "reason": "r"}, 404),
    ]
    before = await owner_connection.fetchrow("SELECT * FROM registry.work_items")

    for target, body, status in refusals:
        response = await resolve(client, token, target, body)
        assert is_problem(response, status), (body, response.text)
    viewer = await client.post(
        f"/work-items/{work_item_id}/resolve",
        json={"how": "no_action", "reason": "r"},
        headers=auth(token, "viewer01", "viewer"),
    )

    assert is_problem(viewer, 403), viewer.text
    assert await owner_connection.fetchrow("SELECT * FROM registry.work_items") == before
    assert before["status"] == "open"


async def test_a_honseki_transfer_notice_opens_a_work_item_unless_already_recorded(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry, yamada: dict[str, Any]
) -> None:
    moved, already = transfer(), transfer(honseki=HONSEKI)

    results = [
        await apply_command(
            uow=registry.uow(),
            command=command,
            clock=registry.clock,
            addresses=registry.addresses,
            access_log=registry.access_log,
        )
        for command in (moved, already)
    ]

    assert [r.outcome for r in results] == [Outcome.WORK_ITEM, Outcome.UNCHANGED]
    [opened] = await open_items(client, token)
    assert (opened["kind"], opened["kind_name"]) == ("honseki_transfer", "本籍転属通知")
    assert (opened["atena_no"], opened["differing_items"]) == (yamada["ichiro"], ["honseki"])
    assert opened["transfer"]["previous_honseki"] == HONSEKI
    assert (opened["transfer"]["honseki"], opened["collation"]) == (OSAKA, None)
