"""Request bodies and small API steps shared by the registry's integration tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from jumin_contracts.check_digits import juminhyo_code_check_digit, my_number_check_digit
from jumin_contracts.commands import RegistryCommand
from jumin_contracts.envelope import Envelope
from registry.adapters.outbox import Outbox
from registry.bootstrap import Registry
from registry.service_layer.command_handlers import CommandResult, apply_command

TokenFactory = Callable[..., str]
Body = dict[str, Any]

WARD_ADDRESS = "西新宿二丁目8番1号"
WARD_ADDRESS_TEXT = "東京都新宿区西新宿二丁目8番1号"
OTHER_WARD_ADDRESS = "大久保三丁目14番4号"
OTHER_WARD_ADDRESS_TEXT = "東京都新宿区大久保三丁目14番4号"
PREVIOUS_ADDRESS = "埼玉県川口市本町一丁目1番1号"

CLERK = "clerk01"
TERMINAL = "shinjuku-honcho-03"
REVIEWER = "reviewer01"


def juminhyo_code(body: str) -> str:
    """Return a valid 住民票コード for a 10-digit body."""
    return body + juminhyo_code_check_digit(body)


def my_number(first11: str) -> str:
    """Return a valid 個人番号 for its first 11 digits."""
    return first11 + my_number_check_digit(first11)


def person(
    family_name: str = "山田",
    given_name: str = "太郎",
    family_name_kana: str = "ヤマダ",
    given_name_kana: str = "タロウ",
    *,
    relationship: str = "世帯主",
    birth_date: str = "1980-05-01",
    sex: str = "male",
    **extra: Any,
) -> Body:
    """Return one NewPerson of a 記載 (a Japanese resident by default)."""
    return {
        "resident_type": "japanese",
        "family_name": family_name,
        "given_name": given_name,
        "family_name_kana": family_name_kana,
        "given_name_kana": given_name_kana,
        "birth_date": birth_date,
        "sex": sex,
        "relationship": relationship,
        "honseki": "東京都新宿区西新宿二丁目8番地",
        "hittosha": f"{family_name}{given_name}",
        **extra,
    }


def foreign_person(card_no: str = "AB12345678CD", **extra: Any) -> Body:
    """Return a foreign resident (中長期在留者) as a 記載 enters them."""
    return {
        **person("スミス", "ジョン", "スミス", "ジョン", birth_date="1990-02-03"),
        "resident_type": "foreign",
        "honseki": None,
        "hittosha": None,
        "foreign": {
            "nationality": "アメリカ合衆国",
            "name_alphabet": "SMITH JOHN",
            "foreign_category": "mid_long_term",
            "status_of_residence": "技術・人文知識・国際業務",
            "period_of_stay": "1年",
            "stay_expires_on": (date.today() + timedelta(days=30)).isoformat(),
            "residence_card_no": card_no,
        },
        **extra,
    }


def move_in(
    *persons: Body,
    address: str = WARD_ADDRESS,
    occurred_on: str = "2024-04-01",
    notified_on: str = "2024-04-05",
    **extra: Any,
) -> Body:
    """Return a 国内転入 of one household from outside the ward."""
    return {
        "kind": "domestic_move_in",
        "occurred_on": occurred_on,
        "notified_on": notified_on,
        "persons": list(persons) or [person()],
        "address": address,
        "previous_address": PREVIOUS_ADDRESS,
        **extra,
    }


def family() -> list[Body]:
    """Return a family of three: head, wife and child, each with the 住民票コード a 転入 brings."""
    return [
        person(
            "山田",
            "太郎",
            "ヤマダ",
            "タロウ",
            relationship="世帯主",
            birth_date="1980-05-01",
            juminhyo_code=juminhyo_code("3100000001"),
        ),
        person(
            "山田",
            "花子",
            "ヤマダ",
            "ハナコ",
            relationship="妻",
            birth_date="1982-07-10",
            sex="female",
            juminhyo_code=juminhyo_code("3100000002"),
        ),
        person(
            "山田",
            "一郎",
            "ヤマダ",
            "イチロウ",
            relationship="子",
            birth_date="2010-01-20",
            juminhyo_code=juminhyo_code("3100000003"),
        ),
    ]


def move_within_ward(
    atena_nos: list[str],
    *,
    address: str = OTHER_WARD_ADDRESS,
    occurred_on: str = "2025-01-10",
    notified_on: str = "2025-01-12",
    **extra: Any,
) -> Body:
    """Return a 転居 inside the ward."""
    return {
        "kind": "move_within_ward",
        "occurred_on": occurred_on,
        "notified_on": notified_on,
        "atena_nos": atena_nos,
        "address": address,
        **extra,
    }


def death(
    atena_no: str, *, occurred_on: str = "2025-02-01", notified_on: str = "2025-02-03"
) -> Body:
    """Return a 死亡 of one person."""
    return {
        "kind": "death",
        "occurred_on": occurred_on,
        "notified_on": notified_on,
        "atena_nos": [atena_no],
    }


def separation(
    atena_nos: list[str],
    new_head: str,
    relationships: dict[str, str] | None = None,
    *,
    occurred_on: str = "2025-03-01",
    notified_on: str = "2025-03-02",
) -> Body:
    """Return a 世帯分離 forming a new household at the same address."""
    return {
        "kind": "household_separation",
        "occurred_on": occurred_on,
        "notified_on": notified_on,
        "atena_nos": atena_nos,
        "new_head": new_head,
        "relationships": relationships or {},
    }


def cancellation(target_change_id: str, *, occurred_on: str | None = None) -> Body:
    """Return an 異動の取消し (職権, so without 届出日)."""
    return {
        "kind": "cancellation",
        "occurred_on": occurred_on or date.today().isoformat(),
        "target_change_id": target_change_id,
        "reason": "届出内容の誤り",
    }


def auth(token: TokenFactory, sub: str, *roles: str) -> dict[str, str]:
    """Return the headers of a member of staff: Authorization and the terminal (端末名)."""
    return {"Authorization": f"Bearer {token(sub, *roles)}", "X-Jumin-Terminal": TERMINAL}


async def submit(client: httpx.AsyncClient, token: TokenFactory, body: Body) -> Body:
    """Enter a change as the clerk and return it (仮登録); fail unless it is accepted."""
    headers = {**auth(token, CLERK, "clerk"), "X-Jumin-Terminal": TERMINAL}
    response = await client.post("/changes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    change: Body = response.json()
    return change


async def approve(client: httpx.AsyncClient, token: TokenFactory, change_id: str) -> Body:
    """Approve a change as the reviewer (本登録); fail unless it is approved."""
    response = await client.post(
        f"/changes/{change_id}/approve", headers=auth(token, REVIEWER, "reviewer")
    )
    assert response.status_code == 200, response.text
    change: Body = response.json()
    return change


async def enter_and_approve(client: httpx.AsyncClient, token: TokenFactory, body: Body) -> Body:
    """Enter a change and have a different member of staff approve it."""
    change = await submit(client, token, body)
    return await approve(client, token, change["change_id"])


async def view(
    client: httpx.AsyncClient, token: TokenFactory, path: str, **params: Any
) -> httpx.Response:
    """GET a read endpoint as a viewer (照会)."""
    return await client.get(path, params=params, headers=auth(token, "viewer01", "viewer"))


async def search(client: httpx.AsyncClient, token: TokenFactory, **params: Any) -> Body:
    """Search residents as a viewer; fail unless the search is answered."""
    response = await view(client, token, "/residents", **params)
    assert response.status_code == 200, response.text
    page: Body = response.json()
    return page


async def records(client: httpx.AsyncClient, token: TokenFactory, change: Body) -> list[Body]:
    """Return the current record of everyone an approved change touched."""
    rows = []
    for atena_no in change["subjects"]:
        response = await view(client, token, f"/residents/{atena_no}")
        assert response.status_code == 200, response.text
        rows.append(response.json())
    return rows


async def by_given_name(
    client: httpx.AsyncClient, token: TokenFactory, change: Body
) -> dict[str, Body]:
    """Return the current records an approved change touched, keyed by 名."""
    return {row["record"]["given_name"]: row for row in await records(client, token, change)}


async def row_counts(connection: asyncpg.Connection[Any]) -> tuple[int, int, int]:
    """Count rows of changes, history and the current index (as the schema owner)."""
    record = await connection.fetchrow(
        """
        SELECT (SELECT count(*) FROM registry.changes) AS changes,
               (SELECT count(*) FROM registry.resident_history) AS history,
               (SELECT count(*) FROM registry.resident_current) AS current
        """
    )
    assert record is not None
    return record["changes"], record["history"], record["current"]


def is_problem(response: httpx.Response, status: int) -> bool:
    """Tell whether a response is an RFC 9457 problem with the given status."""
    if response.status_code != status:
        return False
    if not response.headers["content-type"].startswith("application/problem+json"):
        return False
    body = response.json()
    return body.get("status") == status and bool(body.get("title")) and bool(body.get("detail"))


async def outbox_messages(registry: Registry, change_id: str, routing_key: str) -> list[Envelope]:
    """Return the envelopes an approved change left in the outbox for one routing key."""
    async with registry.pool.acquire() as connection:
        rows = await Outbox(connection, registry.vault).unpublished(1000)
    envelopes = [Envelope.model_validate_json(r.body) for r in rows if r.routing_key == routing_key]
    return [e for e in envelopes if e.change_id == UUID(change_id)]


async def apply(registry: Registry, command: RegistryCommand) -> CommandResult:
    """Apply a command as the consumer does."""
    return await apply_command(
        uow=registry.uow(),
        command=command,
        clock=registry.clock,
        addresses=registry.addresses,
        access_log=registry.access_log,
    )


async def record(client: httpx.AsyncClient, token: TokenFactory, atena_no: str) -> Body:
    """Return one person's current record as a viewer reads it (照会)."""
    response = await view(client, token, f"/residents/{atena_no}")
    assert response.status_code == 200, response.text
    shown: Body = response.json()
    return shown
