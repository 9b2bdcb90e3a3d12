"""Characters on the real API and database: refusals, 外字 registration, what CS receives, the check.

What is proven:

- an emoji in a name, U+202E (bidi override) and U+200B (zero width) are refused with a 422
  problem naming the field, the 1-based position and the code point, never the name, and nothing
  is stored (before this change all three were stored and sent to CS);
- a private-use character that is no registered 外字 is refused the same way;
- an admin registers a 外字 (glyph PNG, reason, nearest MJ文字); the call is access-logged; a name
  holding it is then accepted, read back byte-exact, and its cs.identity carries the substitute;
- a glyph that is no PNG, a substitute outside the MJ set and a taken code point are refused;
- `jumin-registry check-characters` reports a stored row holding an emoji (inserted as
  superuser) by 宛名番号, 履歴番号, 異動ID, field, position and code point, exits 1, and rewrites
  nothing; on a clean register it exits 0.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import sys
from typing import Any

import httpx
import pytest
from jumin_contracts.envelope import Envelope
from jumin_testing.access_log_tamper import Superuser
from PIL import Image
from registry.adapters.outbox import Outbox
from registry.bootstrap import Registry

from .helpers import (
    Body,
    TokenFactory,
    approve,
    auth,
    enter_and_approve,
    is_problem,
    juminhyo_code,
    move_in,
    person,
    row_counts,
    submit,
    view,
)

GAIJI = "\ue000"


def png() -> str:
    buffer = io.BytesIO()
    Image.new("1", (64, 64), 1).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def admin(token: TokenFactory) -> dict[str, str]:
    return auth(token, "admin01", "admin")


async def enter(client: httpx.AsyncClient, token: TokenFactory, body: Body) -> httpx.Response:
    return await client.post("/changes", json=body, headers=auth(token, "clerk01", "clerk"))


@pytest.mark.parametrize(
    ("item", "value", "position", "code"),
    [
        ("family_name", "山田😀", 3, "U+1F600"),
        ("given_name", "太\u202e郎", 2, "U+202E"),
        ("family_name", "山\u200b田", 2, "U+200B"),
    ],
    ids=["emoji", "bidi-override", "zero-width"],
)
async def test_a_name_with_an_emoji_bidi_override_or_zero_width_is_refused_and_nothing_stored(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    item: str,
    value: str,
    position: int,
    code: str,
) -> None:
    before = await row_counts(owner_connection)

    response = await enter(client, token, move_in(person(**{item: value})))

    assert is_problem(response, 422), response.text
    detail = response.json()["detail"]
    assert f"persons.0.{item}" in detail
    assert f"{position}文字目 ({code})" in detail
    assert value not in response.text
    assert response.json()["errors"][0]["loc"] == ["body", "domestic_move_in", "persons", 0, item]
    assert await row_counts(owner_connection) == before


async def test_an_unregistered_private_use_character_is_refused(
    client: httpx.AsyncClient, token: TokenFactory, owner_connection: Any
) -> None:
    before = await row_counts(owner_connection)

    response = await enter(client, token, move_in(person("葛" + GAIJI, "太郎")))

    assert is_problem(response, 422), response.text
    assert "persons.0.family_name: 2文字目 (U+E000) は未登録の外字" in response.json()["detail"]
    assert response.json()["errors"][0]["loc"] == ["body", "persons", 0, "family_name"]
    assert await row_counts(owner_connection) == before


async def register(client: httpx.AsyncClient, token: TokenFactory, **fields: Any) -> httpx.Response:
    body = {"glyph_png": png(), "reason": "戸籍の字形 (区民の申出)", "substitute": "葛", **fields}
    return await client.post("/gaiji", json=body, headers=admin(token))


async def test_a_registered_gaiji_is_accepted_kept_exact_and_cs_gets_its_substitute(
    client: httpx.AsyncClient, token: TokenFactory, registry: Registry, owner_connection: Any
) -> None:
    registered = await register(client, token)
    assert registered.status_code == 201, registered.text
    assert registered.json()["code_point"] == "U+E000"  # the first free one, chosen for us
    name = registered.json()["char"] + "城"

    change = await enter_and_approve(
        client, token, move_in(person(name, "太郎", juminhyo_code=juminhyo_code("1234567890")))
    )

    (atena_no,) = change["subjects"]
    record = (await view(client, token, f"/residents/{atena_no}")).json()["record"]
    assert record["family_name"] == GAIJI + "城"
    async with registry.pool.acquire() as connection:
        rows = await Outbox(connection, registry.vault).unpublished(100)
    (identity,) = [
        Envelope.model_validate_json(r.body) for r in rows if r.routing_key == "cs.identity"
    ]
    assert identity.payload["family_name"] == "葛城"
    assert identity.payload["given_name"] == "太郎"
    logged = await owner_connection.fetchrow(
        "SELECT operator, outcome FROM registry.access_log WHERE function = 'register_gaiji'"
        " ORDER BY seq DESC LIMIT 1"
    )
    assert (logged["operator"], logged["outcome"]) == ("admin01", "ok")


async def test_the_gaiji_list_shows_what_was_registered(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    await register(client, token, code_point="U+E010", substitute="辻\U000e0102")

    listed = await client.get("/gaiji", headers=auth(token, "clerk01", "clerk"))

    assert listed.status_code == 200, listed.text
    (gaiji,) = listed.json()
    assert (gaiji["code_point"], gaiji["substitute"]) == ("U+E010", "辻\U000e0102")
    assert base64.b64decode(gaiji["glyph_png"]).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"glyph_png": base64.b64encode(b"GIF89a not a png").decode()}, 422),
        ({"substitute": "😀"}, 422),
        ({"substitute": "葛城"}, 422),
        ({"code_point": "U+845B"}, 422),
        ({"reason": "理由\u202e"}, 422),
    ],
    ids=["not-png", "emoji-substitute", "two-characters", "not-private-use", "bidi-in-reason"],
)
async def test_a_bad_registration_is_refused(
    client: httpx.AsyncClient, token: TokenFactory, fields: dict[str, str], status: int
) -> None:
    response = await register(client, token, **fields)

    assert is_problem(response, status), response.text
    listed = await client.get("/gaiji", headers=admin(token))
    assert listed.json() == []


async def test_a_code_point_is_registered_once(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    assert (await register(client, token, code_point="U+E001")).status_code == 201

    again = await register(client, token, code_point="U+E001", substitute="城")

    assert is_problem(again, 409), again.text


async def check_characters() -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "registry.entrypoints.cli",
        "check-characters",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=os.environ.copy(),
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_check_reports_a_stored_row_outside_the_set_and_rewrites_nothing(
    client: httpx.AsyncClient,
    token: TokenFactory,
    owner_connection: Any,
    superuser: Superuser,
) -> None:
    change = await enter_and_approve(client, token, move_in(person("東海林", "太郎")))
    (atena_no,) = change["subjects"]
    assert (await check_characters())[0] == 0
    superuser.run(
        "UPDATE registry.resident_history SET family_name = '東海林' || chr(128512)"
        f" WHERE atena_no = '{atena_no}'"
    )

    code, out, err = await check_characters()

    assert code == 1, err
    assert out.splitlines() == [
        f"atena_no={atena_no} history_no=1 change_id={change['change_id']} field=family_name "
        'position=4 code_point=U+1F600 reason="a symbol or emoji"'
    ]
    assert "東海林" not in out + err
    stored = await owner_connection.fetchval(
        "SELECT family_name FROM registry.resident_history WHERE atena_no = $1", atena_no
    )
    assert stored == "東海林😀"  # reported, not rewritten


async def test_a_pending_change_corrected_to_hold_an_emoji_is_refused(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    pending = await submit(client, token, move_in(person()))

    response = await client.put(
        f"/changes/{pending['change_id']}",
        json=move_in(person("山田", "太郎😀")),
        headers=auth(token, "clerk01", "clerk"),
    )

    assert is_problem(response, 422), response.text
    assert "U+1F600" in response.json()["detail"]
    assert (await approve(client, token, pending["change_id"]))["status"] == "approved"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/residents", {"name": "山\u202e田"}, "name"),
        ("/residents", {"address": "西新宿\u200b"}, "address"),
        ("/changes", {"created_by": "clerk\u2066"}, "created_by"),
        ("/addresses/towns", {"prefix": "西\u200d"}, "prefix"),
    ],
)
async def test_query_parameters_refuse_hidden_characters_too(
    client: httpx.AsyncClient, token: TokenFactory, path: str, params: dict[str, str], field: str
) -> None:
    headers = auth(token, "reviewer01", "reviewer")

    response = await client.get(path, params=params, headers=headers)

    assert is_problem(response, 422), response.text
    assert f"{field}: " in response.json()["detail"]
    assert "文字目 (U+" in response.json()["detail"]


async def test_a_reason_refuses_a_bidi_override(
    client: httpx.AsyncClient, token: TokenFactory
) -> None:
    pending = await submit(client, token, move_in(person()))

    response = await client.post(
        f"/changes/{pending['change_id']}/withdraw",
        json={"reason": "届出人の申出\u202e"},
        headers=auth(token, "clerk01", "clerk"),
    )

    assert is_problem(response, 422), response.text
    assert "reason: 7文字目 (U+202E)" in response.json()["detail"]
